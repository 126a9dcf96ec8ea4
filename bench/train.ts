/**
 * `npm run bench -- train [--seconds S] [--rounds R] [--no-backbone]`: training steps per second of the
 * orchestrator at the paper's size (768-d encodings, d = 256, 4-head backbone, N = 10 experts,
 * batch 2, a full 10-step rollout as at the start of training), on every tfjs backend available
 * here (tfjs-node-gpu when installed, wasm, cpu), and of the PyTorch reference
 * (test/fixtures/torch/reference.py: the same model, loss, clipping and Adam, float32, CPU) on
 * this machine. Each timing runs for S seconds (default 4) after warm-up steps; wasm and PyTorch
 * alternate for R rounds (default 3) and the median ratio is reported.
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
  for (let i = 0; i < 5; i++) step(i); // warm-up (kernel set-up, memory growth)
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function run(args: string[]): Promise<void> {
  const si = args.indexOf('--seconds');
  const seconds = si >= 0 ? Number(args[si + 1]) : 4;
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
  // A bare or malformed value would time nothing and print `ratio: NaN`.
  if (!(Number.isFinite(seconds) && seconds > 0)) throw new Error(`bench train: --seconds must be a positive number, got ${args[si + 1]}`);
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`bench train: --rounds must be an integer >= 1, got ${args[ri + 1]}`);
  const backbone = !args.includes('--no-backbone');
  console.log(`orchestrator training step: D=${D}, d=${HIDDEN}, N=${N}, batch ${BATCH}, backbone ${backbone ? 'on' : 'off'}, rollout ${N} steps; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  if (!available('@tensorflow/tfjs-node-gpu')) console.log('tfjs-node-gpu: not installed (optional), skipped');
  else console.log(`tfjs tensorflow (tfjs-node-gpu): ${(await tfjsStepsPerSecond('tensorflow', seconds, backbone)).toFixed(2)} steps/s`);
  const cpu = await tfjsStepsPerSecond('cpu', seconds, backbone);
  console.log(`tfjs cpu: ${cpu.toFixed(2)} steps/s`);
  // wasm and PyTorch alternate, so load from other processes on a shared machine hits both alike.
  const wasm: number[] = [];
  const torch: number[] = [];
  let torchInfo = '';
  for (let r = 0; r < rounds; r++) {
    wasm.push(await tfjsStepsPerSecond('wasm', seconds, backbone));
    const t = torchStepsPerSecond(seconds, backbone);
    if (typeof t === 'string') {
      console.log(`tfjs wasm: ${wasm[0].toFixed(2)} steps/s`);
      console.log(`pytorch: unavailable (${t})`);
      console.log(`ratio: ${(wasm[0] / cpu).toFixed(3)} (tfjs wasm over tfjs cpu steps/s; PyTorch reference unavailable)`);
      return;
    }
    torch.push(t.sps);
    torchInfo = `pytorch ${t.version} cpu, ${t.threads} thread${t.threads === 1 ? '' : 's'}`;
    console.log(`round ${r + 1}: tfjs wasm ${wasm[r].toFixed(2)} steps/s, ${torchInfo} ${t.sps.toFixed(2)} steps/s`);
  }
  const ratios = wasm.map((w, i) => w / torch[i]);
  console.log(`tfjs wasm: ${median(wasm).toFixed(2)} steps/s (median of ${rounds}); ${torchInfo}: ${median(torch).toFixed(2)} steps/s; tfjs wasm / tfjs cpu: ${(median(wasm) / cpu).toFixed(1)}x`);
  console.log(`ratio: ${median(ratios).toFixed(3)} (tfjs wasm over pytorch cpu steps/s)`);
}
