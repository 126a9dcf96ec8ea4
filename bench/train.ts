/**
 * `npm run bench -- train [--seconds S] [--no-backbone]`: training steps per second of the
 * orchestrator at the paper's size (768-d encodings, d = 256, 4-head backbone, N = 10 experts,
 * batch 2, a full 10-step rollout as at the start of training), on every tfjs backend available
 * here (tfjs-node-gpu when installed, wasm, cpu), and of the PyTorch reference
 * (test/fixtures/torch/reference.py: the same model, loss, clipping and Adam, float32, CPU) on
 * this machine. Each timing runs for S seconds (default 5) after warm-up steps.
 * Last line: `ratio: <x> (tfjs wasm over pytorch cpu steps/s)`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { ensureBackend, type BackendChoice } from '../src/orchestrator/backend';
import { createAdamState, disposeAdamState } from '../src/orchestrator/adam';
import { resolveModelConfig, resolveTrainConfig } from '../src/orchestrator/config';
import { createModel, disposeModel } from '../src/orchestrator/model';
import { Rng } from '../src/orchestrator/rng';
import { initialSchedule } from '../src/orchestrator/schedule';
import { syntheticRoutingDataset } from '../src/orchestrator/synthetic';
import { trainStep } from '../src/orchestrator/train';

const D = 768;
const HIDDEN = 256;
const N = 10;
const BATCH = 2;

function available(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

async function tfjsStepsPerSecond(backend: BackendChoice, seconds: number, backbone: boolean): Promise<number> {
  await ensureBackend(backend, () => undefined);
  const data = syntheticRoutingDataset({ seed: 1, nItems: 16, nExperts: N, dim: D });
  const model = createModel(resolveModelConfig({ inputDim: D, nExperts: N, hidden: HIDDEN, backbone }), 1);
  const adam = createAdamState(model.params);
  const tc = resolveTrainConfig({});
  const sched = initialSchedule(tc, N); // k = N: the longest rollout
  const rng = new Rng(2);
  const step = (i: number) => trainStep(model, adam, data.items.slice((2 * i) % 16, ((2 * i) % 16) + BATCH), sched, 1e-3, tc, rng);
  for (let i = 0; i < 2; i++) step(i);
  let n = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    step(n++);
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  disposeAdamState(adam);
  disposeModel(model);
  return n / elapsed;
}

function torchStepsPerSecond(seconds: number, backbone: boolean): { sps: number; threads: number; version: string } | string {
  const python = '/usr/bin/python3';
  if (!fs.existsSync(python)) return `${python} not found`;
  const script = path.join(__dirname, '..', 'test', 'fixtures', 'torch', 'reference.py');
  const r = spawnSync(python, [script, 'bench', String(D), String(HIDDEN), String(N), String(BATCH), backbone ? '1' : '0', String(seconds)], { encoding: 'utf8' });
  if (r.status !== 0) return `reference.py failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
  return { sps: out.stepsPerSecond, threads: out.threads, version: out.torch };
}

export async function run(args: string[]): Promise<void> {
  const si = args.indexOf('--seconds');
  const seconds = si >= 0 ? Number(args[si + 1]) : 5;
  const backbone = !args.includes('--no-backbone');
  console.log(`orchestrator training step: D=${D}, d=${HIDDEN}, N=${N}, batch ${BATCH}, backbone ${backbone ? 'on' : 'off'}, rollout ${N} steps; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  const results: Partial<Record<BackendChoice, number>> = {};
  const backends: BackendChoice[] = [...(available('@tensorflow/tfjs-node-gpu') ? (['tensorflow'] as const) : []), 'wasm', 'cpu'];
  if (!backends.includes('tensorflow')) console.log('tfjs-node-gpu: not installed (optional), skipped');
  for (const b of backends) {
    results[b] = await tfjsStepsPerSecond(b, seconds, backbone);
    console.log(`tfjs ${b}: ${results[b]!.toFixed(2)} steps/s`);
  }
  const torch = torchStepsPerSecond(seconds, backbone);
  if (typeof torch === 'string') {
    console.log(`pytorch: unavailable (${torch})`);
    console.log(`ratio: ${(results.wasm! / results.cpu!).toFixed(3)} (tfjs wasm over tfjs cpu steps/s; PyTorch reference unavailable)`);
    return;
  }
  console.log(`pytorch ${torch.version} cpu (${torch.threads} thread${torch.threads === 1 ? '' : 's'}): ${torch.sps.toFixed(2)} steps/s`);
  console.log(`tfjs wasm / tfjs cpu: ${(results.wasm! / results.cpu!).toFixed(2)}x`);
  console.log(`ratio: ${(results.wasm! / torch.sps).toFixed(3)} (tfjs wasm over pytorch cpu steps/s)`);
}
