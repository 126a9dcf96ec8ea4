/**
 * Where a training step's time goes, at the paper's size (D 768, d 256, backbone, N 10, batch 2,
 * 10-step rollout), on the tfjs wasm backend:
 *   - CPU time per step (process CPU time, which load from other processes inflates far less than
 *     wall time on a shared machine) and wall time;
 *   - kernels per step, and time, calls and bytes per kernel type (tf.profile of one step);
 *   - tensors and bytes allocated per step, and any leak.
 *
 *   node --import tsx bench/profile-train.ts [--steps S] [--top K]
 *
 * It has no baseline (that is `npm run bench -- train`); docs/performance.md keeps its output.
 */
import { ensureBackend, tf } from '../src/orchestrator/backend';
import { adamStep, createAdamState } from '../src/orchestrator/adam';
import { resolveModelConfig, resolveTrainConfig } from '../src/orchestrator/config';
import { toBatch, disposeBatch } from '../src/orchestrator/dataset';
import { createModel, forward } from '../src/orchestrator/model';
import { Rng } from '../src/orchestrator/rng';
import { initialSchedule } from '../src/orchestrator/schedule';
import { syntheticRoutingDataset } from '../src/orchestrator/synthetic';
import { trainStep } from '../src/orchestrator/train';

const D = 768;
const HIDDEN = 256;
const N = 10;
const BATCH = 2;

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`profile-train: ${name} must be a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

async function main(): Promise<void> {
  const nSteps = flag('--steps', 30);
  const top = flag('--top', 25);
  await ensureBackend('wasm', () => undefined);
  const data = syntheticRoutingDataset({ seed: 1, nItems: 16, nExperts: N, dim: D });
  const model = createModel(resolveModelConfig({ inputDim: D, nExperts: N, hidden: HIDDEN }), 1);
  const adam = createAdamState(model.params);
  const tc = resolveTrainConfig({});
  const sched = initialSchedule(tc, N);
  const rng = new Rng(2);
  const step = (i: number) => trainStep(model, adam, data.items.slice((2 * i) % 16, ((2 * i) % 16) + BATCH), sched, 1e-3, tc, rng);
  for (let i = 0; i < 10; i++) step(i);

  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < nSteps; i++) step(i);
  const wall = (performance.now() - t0) / nSteps;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000 / nSteps;

  // Phases, each in CPU ms per call: the forward pass alone (with noise, as in training) and one
  // Adam update (gradients of the parameters' shapes); the rest of a step is the loss, the
  // backward pass and the step's own bookkeeping.
  const cpuMs = (f: () => void, reps: number) => {
    f();
    const u0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) f();
    const u = process.cpuUsage(u0);
    return (u.user + u.system) / 1000 / reps;
  };
  const batch = toBatch(data.items.slice(0, BATCH), D);
  const gumbel = tf.tensor3d(rng.fill(BATCH * N * N, (r) => r.gumbel()), [BATCH, N, N]);
  const fwd = cpuMs(() => tf.tidy(() => void forward(model, batch, { steps: N, tau: 1, gumbel })), nSteps);
  const fakeGrads = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, tf.mul(tf.onesLike(v), 1e-6)]));
  const adamMs = cpuMs(() => void adamStep(model.params, fakeGrads, adam, 1e-3, { beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 15 }), nSteps);
  tf.dispose([gumbel, ...Object.values(fakeGrads)]);
  disposeBatch(batch);
  console.log(`phases (CPU ms): forward ${fwd.toFixed(2)}; Adam update ${adamMs.toFixed(2)}; loss + backward + bookkeeping ${(cpu - fwd - adamMs).toFixed(2)} (by difference)`);

  const before = tf.memory();
  const prof = await tf.profile(() => {
    step(0);
  });
  const after = tf.memory();
  const byKernel = new Map<string, { n: number; ms: number; bytes: number }>();
  for (const k of prof.kernels) {
    const e = byKernel.get(k.name) ?? { n: 0, ms: 0, bytes: 0 };
    e.n++;
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.bytes += k.bytesAdded;
    byKernel.set(k.name, e);
  }
  const kernelMs = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
  const bytes = [...byKernel.values()].reduce((a, e) => a + e.bytes, 0);
  console.log(`per step: ${cpu.toFixed(2)} ms CPU, ${wall.toFixed(2)} ms wall (mean of ${nSteps} steps)`);
  console.log(`kernels per step: ${prof.kernels.length}, their own time ${kernelMs.toFixed(2)} ms (profiled step; the rest is tfjs/JS overhead); bytes allocated by kernels ${(bytes / 1e6).toFixed(2)} MB; peak ${(prof.peakBytes / 1e6).toFixed(2)} MB; tensors left behind per step: ${after.numTensors - before.numTensors}`);
  console.log('kernel              calls   ms total   ms/call   MB allocated');
  for (const [name, e] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    console.log(`${name.padEnd(18)} ${String(e.n).padStart(6)} ${e.ms.toFixed(2).padStart(10)} ${(e.ms / e.n).toFixed(4).padStart(9)} ${(e.bytes / 1e6).toFixed(2).padStart(12)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
