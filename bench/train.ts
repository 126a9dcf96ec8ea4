/**
 * `npm run bench -- train [--seconds S] [--rounds R] [--no-backbone] [--cpu] [--no-epoch]`:
 * training steps per second of the orchestrator at the paper's size (768-d encodings, d = 256,
 * 4-head backbone, N = 10 experts, batch 2, a full 10-step rollout as at the start of training) on
 * tfjs wasm, against the PyTorch reference (test/fixtures/torch/reference.py: the same model,
 * loss, clipping and Adam, float32, CPU) in the same script.
 *
 * Each timing runs for S seconds (default 3) after a warm-up (tfjs: 20 steps the first time, 5 later; PyTorch: 3). Per round (R rounds, default 3)
 * the measurements alternate, so load from other processes on a shared machine hits all alike:
 *   - tfjs wasm, one thread (the only mode tfjs-backend-wasm runs under Node: see backend.ts);
 *   - PyTorch with one thread (OMP_NUM_THREADS=1): the equal-thread comparison;
 *   - PyTorch at its default threads, and with every CPU when that differs: the all-threads one.
 * The medians over rounds of the per-round ratios are reported. Then one epoch at the notebook
 * size (200 training items, batch 2, through `trainOrchestrator`, held-out evaluation included)
 * gives items per second, beside PyTorch's training-only items per second (2 x steps/s).
 * `--cpu` also times the pure-JS tfjs cpu backend (slow; off by default).
 *
 * Last line: `ratio: <x> (tfjs wasm over pytorch cpu steps/s)`, one thread each.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { ensureBackend, wasmThreads, type BackendChoice } from '../src/orchestrator/backend';
import { createAdamState, disposeAdamState } from '../src/orchestrator/adam';
import { resolveModelConfig, resolveTrainConfig } from '../src/orchestrator/config';
import { splitRoutingDataset } from '../src/orchestrator/dataset';
import { createModel, disposeModel } from '../src/orchestrator/model';
import { Rng } from '../src/orchestrator/rng';
import { initialSchedule } from '../src/orchestrator/schedule';
import { syntheticRoutingDataset } from '../src/orchestrator/synthetic';
import { trainOrchestrator, trainStep } from '../src/orchestrator/train';

const D = 768;
const HIDDEN = 256;
const N = 10;
const BATCH = 2;
/** training items of one task in a notebook run */
const NOTEBOOK_TRAIN_ITEMS = 200;

function available(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Steps per second of wall time, and per second of this process's CPU time. */
interface Rate {
  sps: number;
  cpuSps: number;
}

let warmedUp = false;

async function tfjsStepsPerSecond(backend: BackendChoice, seconds: number, backbone: boolean): Promise<Rate> {
  await ensureBackend(backend, () => undefined);
  const data = syntheticRoutingDataset({ seed: 1, nItems: 16, nExperts: N, dim: D });
  const model = createModel(resolveModelConfig({ inputDim: D, nExperts: N, hidden: HIDDEN, backbone }), 1);
  const adam = createAdamState(model.params);
  const tc = resolveTrainConfig({});
  const sched = initialSchedule(tc, N); // k = N: the longest rollout
  const rng = new Rng(2);
  const step = (i: number) => trainStep(model, adam, data.items.slice((2 * i) % 16, ((2 * i) % 16) + BATCH), sched, 1e-3, tc, rng);
  // Warm-up (kernel set-up, memory growth, V8 optimising the host loops; a single optimising
  // compile can take 100+ ms on a loaded machine): 20 steps the first time in this process, 5 after.
  for (let i = 0; i < (warmedUp ? 5 : 20); i++) step(i);
  warmedUp = true;
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    step(n++);
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  const c = process.cpuUsage(c0);
  disposeAdamState(adam);
  disposeModel(model);
  return { sps: n / elapsed, cpuSps: n / ((c.user + c.system) / 1e6) };
}

interface TorchResult extends Rate {
  threads: number;
  version: string;
}

/** torch takes its intra-op thread count from OMP_NUM_THREADS at start-up; null = its default. */
function torchEnv(threads: number | null): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OMP_NUM_THREADS;
  delete env.MKL_NUM_THREADS;
  if (threads !== null) env.OMP_NUM_THREADS = String(threads);
  return env;
}

/** PyTorch steps/s; `threads` null = its default. Returns the reason when it cannot run. */
function torchStepsPerSecond(seconds: number, backbone: boolean, threads: number | null): TorchResult | string {
  const python = '/usr/bin/python3';
  if (!fs.existsSync(python)) return `${python} not found`;
  const script = path.join(__dirname, '..', 'test', 'fixtures', 'torch', 'reference.py');
  const r = spawnSync(python, [script, 'bench', String(D), String(HIDDEN), String(N), String(BATCH), backbone ? '1' : '0', String(seconds)], { encoding: 'utf8', env: torchEnv(threads) });
  if (r.status !== 0) return `reference.py failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
  if (threads !== null && out.threads !== threads) return `asked PyTorch for ${threads} threads, it ran ${out.threads}`;
  return { sps: out.stepsPerSecond, cpuSps: out.steps / out.cpuSeconds, threads: out.threads, version: out.torch };
}

/** One epoch at the notebook size through the real training loop: items per second. */
async function epochItemsPerSecond(backbone: boolean): Promise<{ itemsPerSecond: number; trainItems: number; seconds: number }> {
  await ensureBackend('wasm', () => undefined);
  const total = Math.round(NOTEBOOK_TRAIN_ITEMS / 0.75);
  const dataset = splitRoutingDataset(syntheticRoutingDataset({ seed: 3, nItems: total, nExperts: N, dim: D }), { testFraction: 0.25, seed: 0 });
  const trainItems = dataset.items.filter((it) => it.split === 'train').length;
  let t0 = 0;
  let seconds = 0;
  const result = await trainOrchestrator({
    dataset,
    model: { hidden: HIDDEN, backbone },
    train: { epochs: 1, seed: 0 },
    backend: 'wasm',
    progressBar: false,
    // Timed from the end of epoch 0 (the untrained model's evaluation) to the end of epoch 1.
    onEpoch: (e) => {
      if (e.epoch === 0) t0 = performance.now();
      else seconds = (performance.now() - t0) / 1000;
    },
  });
  disposeModel(result.model);
  return { itemsPerSecond: trainItems / seconds, trainItems, seconds };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function run(args: string[]): Promise<void> {
  const si = args.indexOf('--seconds');
  const seconds = si >= 0 ? Number(args[si + 1]) : 3;
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
  // A bare or malformed value would time nothing and print `ratio: NaN`.
  if (!(Number.isFinite(seconds) && seconds > 0)) throw new Error(`bench train: --seconds must be a positive number, got ${args[si + 1]}`);
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`bench train: --rounds must be an integer >= 1, got ${args[ri + 1]}`);
  const backbone = !args.includes('--no-backbone');
  const cpus = os.cpus().length;
  console.log(`orchestrator training step: D=${D}, d=${HIDDEN}, N=${N}, batch ${BATCH}, backbone ${backbone ? 'on' : 'off'}, rollout ${N} steps; ${cpus} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg()[0].toFixed(1)}`);
  if (!available('@tensorflow/tfjs-node-gpu')) console.log('tfjs-node-gpu: not installed (optional), skipped');
  else console.log(`tfjs tensorflow (tfjs-node-gpu): ${(await tfjsStepsPerSecond('tensorflow', seconds, backbone)).sps.toFixed(2)} steps/s`);
  let cpu: number | null = null;
  if (args.includes('--cpu')) {
    cpu = (await tfjsStepsPerSecond('cpu', seconds, backbone)).sps;
    console.log(`tfjs cpu: ${cpu.toFixed(2)} steps/s`);
  }
  await ensureBackend('wasm', () => undefined);
  const tfThreads = wasmThreads();
  console.log(`tfjs wasm: SIMD on, ${tfThreads} thread${tfThreads === 1 ? '' : 's'} (the threaded build does not start under Node; docs/performance.md)`);

  // PyTorch's own default thread count; where it is 1 the default run is the 1-thread run.
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch; print(torch.get_num_threads())'], { encoding: 'utf8', env: torchEnv(null) });
  const defaultThreads = probe.status === 0 ? Number(probe.stdout.trim()) : 0;

  const wasm: Rate[] = [];
  const torch1: Rate[] = [];
  const torchDefault: Rate[] = [];
  const torchAll: Rate[] = [];
  let version = '';
  for (let r = 0; r < rounds; r++) {
    wasm.push(await tfjsStepsPerSecond('wasm', seconds, backbone));
    const one = torchStepsPerSecond(seconds, backbone, 1);
    if (typeof one === 'string') {
      console.log(`tfjs wasm: ${wasm[0].sps.toFixed(2)} steps/s`);
      console.log(`pytorch: unavailable (${one})`);
      if (cpu !== null) console.log(`ratio: ${(wasm[0].sps / cpu).toFixed(3)} (tfjs wasm over tfjs cpu steps/s; PyTorch reference unavailable)`);
      else console.log('no ratio: the PyTorch reference is unavailable (run with --cpu for tfjs wasm over tfjs cpu)');
      return;
    }
    version = one.version;
    torch1.push(one);
    const def = defaultThreads === 1 ? one : torchStepsPerSecond(seconds, backbone, null);
    if (typeof def === 'string') throw new Error(`pytorch at its default threads: ${def}`);
    torchDefault.push(def);
    const fmt = (x: Rate) => `${x.sps.toFixed(2)} (${x.cpuSps.toFixed(1)}/CPU-s)`;
    let line = `round ${r + 1}: tfjs wasm ${fmt(wasm[r])} steps/s | pytorch 1 thread ${fmt(one)}${def === one ? ' (= its default)' : ` | pytorch default (${def.threads} threads) ${fmt(def)}`}`;
    if (cpus !== def.threads && cpus > 1) {
      const all = torchStepsPerSecond(seconds, backbone, cpus);
      if (typeof all === 'string') throw new Error(`pytorch on ${cpus} threads: ${all}`);
      torchAll.push(all);
      line += ` | pytorch ${cpus} threads ${fmt(all)}`;
    }
    console.log(line);
  }
  const ratio = (a: Rate[], b: Rate[], key: keyof Rate = 'sps') => median(a.map((x, i) => x[key] / b[i][key]));
  const med = (a: Rate[], key: keyof Rate = 'sps') => median(a.map((x) => x[key]));
  const oneThread = ratio(wasm, torch1);
  const s = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
  console.log(`medians over ${rounds} rounds (wall-clock steps/s): tfjs wasm ${med(wasm).toFixed(2)}; pytorch ${version} cpu 1 thread ${med(torch1).toFixed(2)}, default ${s(defaultThreads)} ${med(torchDefault).toFixed(2)}${torchAll.length ? `, ${cpus} threads ${med(torchAll).toFixed(2)}` : ''}${cpu !== null ? `; tfjs wasm / tfjs cpu ${(med(wasm) / cpu).toFixed(1)}x` : ''}`);
  console.log(`per CPU-second (each process's own CPU time, which load from other processes disturbs less): tfjs wasm ${med(wasm, 'cpuSps').toFixed(1)} steps, pytorch 1 thread ${med(torch1, 'cpuSps').toFixed(1)}; ratio ${ratio(wasm, torch1, 'cpuSps').toFixed(3)}`);
  console.log(`all-threads ratio: ${ratio(wasm, torchDefault).toFixed(3)} (tfjs wasm, ${s(tfThreads)}, over pytorch cpu at its default ${s(defaultThreads)})${torchAll.length ? `; ${ratio(wasm, torchAll).toFixed(3)} over pytorch on all ${cpus} threads` : ''}`);
  if (!args.includes('--no-epoch')) {
    const ep = await epochItemsPerSecond(backbone);
    const torchItems = med(torch1) * BATCH;
    console.log(`epoch at the notebook size (${ep.trainItems} training items, batch ${BATCH}, trainOrchestrator with its held-out evaluation): tfjs wasm ${ep.itemsPerSecond.toFixed(1)} items/s (${ep.seconds.toFixed(2)} s); pytorch 1 thread, training steps only at k = N: ${torchItems.toFixed(1)} items/s`);
  }
  console.log(`ratio: ${oneThread.toFixed(3)} (tfjs wasm over pytorch cpu steps/s)`);
}
