/**
 * Where a probe pass's time goes, at the bench's size (D 768, d 256, backbone, N 10, 266 items):
 * one training epoch (as `npm run bench -- probes`), then each piece of the pass timed alone,
 * wall and process CPU time (CPU time is what other processes on a shared machine inflate least):
 * the shared encoding, the structure read, intrinsic importance, masking (two targets), the
 * ablations, and the whole pass through `runProbes`.
 *
 *   node --import tsx bench/profile-probes.ts [--reps R] [--cpu-profile FILE]
 *
 * --cpu-profile writes a V8 CPU profile (Chrome DevTools format) of `reps` whole passes only,
 * and prints the functions with the most self time in it.
 *
 * It has no baseline (that is `npm run bench -- probes`); docs/probes.md keeps its output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { ensureBackend, tf } from '../src/orchestrator/backend';
import { loadOrchestratorModel } from '../src/orchestrator/checkpoint';
import { splitRoutingDataset } from '../src/orchestrator/dataset';
import { syntheticRoutingDataset } from '../src/orchestrator/synthetic';
import { trainOrchestrator } from '../src/orchestrator/train';
import { ablationProbe } from '../src/probes/ablations';
import { intrinsicImportance } from '../src/probes/intrinsic';
import { maskingProbes } from '../src/probes/masking';
import { disposeEncoded, encodeItems, readRouting } from '../src/probes/routing-read';
import { runProbes } from '../src/probes/run-probes';
import { structureProbe } from '../src/probes/structure';

const D = 768;
const HIDDEN = 256;
const N = 10;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Profiles `reps` calls of f with the V8 sampler, writes the profile and prints the top self times. */
async function cpuProfile(file: string | undefined, reps: number, f: () => Promise<unknown>): Promise<void> {
  if (!file) throw new Error('profile-probes: --cpu-profile needs a file name');
  await f(); // warm
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  for (let r = 0; r < reps; r++) await f();
  const { profile } = await post<{ profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } }>('Profiler.stop');
  session.disconnect();
  fs.writeFileSync(file, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${reps} passes, ${(total / reps).toFixed(0)} ms sampled per pass; top self time per pass:`);
  for (const [k, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(ms / reps).toFixed(1).padStart(8)} ms  ${k}`);
}

async function main(): Promise<void> {
  const ri = process.argv.indexOf('--reps');
  const reps = ri >= 0 ? Number(process.argv[ri + 1]) : 3;
  if (!(Number.isInteger(reps) && reps > 0)) throw new Error(`profile-probes: --reps must be a positive integer, got ${process.argv[ri + 1]}`);
  await ensureBackend('wasm', () => undefined);
  const dataset = splitRoutingDataset(syntheticRoutingDataset({ seed: 3, nItems: 266, nExperts: N, dim: D }), { testFraction: 0.25, seed: 3 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profile-probes-'));
  try {
    const runDir = path.join(dir, 'run');
    await trainOrchestrator({ dataset, runDir, model: { hidden: HIDDEN }, train: { epochs: 1, seed: 0 }, progressBar: false });
    const { model } = loadOrchestratorModel({ runDir, epoch: 1 });
    const items = dataset.items;
    const ids = dataset.expertIds;
    const rows: Array<[string, number, number]> = [];
    const time = async (name: string, f: () => unknown) => {
      await f(); // warm
      let wall = 0;
      let cpu = 0;
      for (let r = 0; r < reps; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await f();
        wall += performance.now() - t0;
        const c = process.cpuUsage(c0);
        cpu += (c.user + c.system) / 1000;
      }
      rows.push([name, wall / reps, cpu / reps]);
    };
    const pi = process.argv.indexOf('--cpu-profile');
    if (pi >= 0) {
      await cpuProfile(process.argv[pi + 1], reps, () => runProbes({ runDir, dataset, epochs: [1], split: 'all', probes: ['structure', 'masking', 'ablations'], force: true }));
      return;
    }
    const enc = encodeItems(model, items);
    const read = readRouting(model, items, { encoded: enc });
    const base = structureProbe(model, items, ids, { encoded: enc });
    const tensorsBefore = tf.memory().numTensors;
    await time('encodeItems (266 items, unmasked)', () => disposeEncoded(encodeItems(model, items)));
    await time('encodeItems under a mask', () => disposeEncoded(encodeItems(model, items, { available: ids.map((_, i) => i !== 3) })));
    await time('readRouting (shared encoding)', () => readRouting(model, items, { encoded: enc }));
    await time('intrinsicImportance (shared encoding)', () => intrinsicImportance(model, items, read.chains, { encoded: enc }));
    await time('structureProbe (shared encoding)', () => structureProbe(model, items, ids, { encoded: enc }));
    await time('maskingProbes (top-intrinsic, top-relational; masked re-encodes from the shared encoding)', () => maskingProbes(model, items, base, [{ kind: 'top-intrinsic' }, { kind: 'top-relational' }], { encoded: enc }));
    await time('ablationProbe (shared encoding, full read given)', () => ablationProbe(model, items, { encoded: enc, full: base.read }));
    await time('runProbes (structure, masking, ablations; force)', () => runProbes({ runDir, dataset, epochs: [1], split: 'all', probes: ['structure', 'masking', 'ablations'], force: true }));
    disposeEncoded(enc);
    const leak = tf.memory().numTensors - tensorsBefore;
    const all = base.summaries.find((s) => s.task === 'all')!;
    console.log(`items ${items.length}, ${all.avgCalls.toFixed(2)} steps per chain, tasks ${[...new Set(items.map((it) => it.task))].join(', ')}; mean of ${reps} after a warm-up; load average ${os.loadavg()[0].toFixed(1)}`);
    console.log('| piece | wall ms | CPU ms |');
    console.log('|---|---:|---:|');
    for (const [name, wall, cpu] of rows) console.log(`| ${name} | ${wall.toFixed(0)} | ${cpu.toFixed(0)} |`);
    console.log(`tensors left over: ${leak}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
