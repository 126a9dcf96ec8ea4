/**
 * The causal verdict over seeds on test/orchestrator/hidden-bit.ts's hub-critical data (the data
 * test/probes/planted-learned.test.ts trains on): for each seed (data and training seed alike),
 * the planted data and its null, train the content recipe (d = 16, 8 epochs), probe every epoch,
 * and print the verdict, the held-out accuracies, and whether the verdict would have reported a
 * divergence without its accuracy condition (src/probes/causal.ts, accuracyTestOf). ~5 s per run.
 *
 *   node --import tsx scripts/causal-sweep.ts [--seeds 0-9] [--which planted|null|both]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend } from '../src/orchestrator/backend';
import { HUB_CRITICAL_BIT, hubCriticalBitDataset } from '../test/orchestrator/hidden-bit';
import { trainAndProbe } from '../test/probes/learned-causal';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** '0-9' or '0,3,7' */
function seedList(spec: string): number[] {
  const bad = new Error(`--seeds: expected a range '0-9' or a list '0,3,7', got '${spec}'`);
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (to < from) throw bad;
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  const seeds = spec.split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw bad;
  return seeds;
}

async function main(): Promise<void> {
  const seeds = seedList(arg('seeds', '0-9'));
  const which = arg('which', 'both');
  if (!['planted', 'null', 'both'].includes(which)) throw new Error(`--which: planted, null or both, got '${which}'`);
  await ensureBackend();
  const kinds = which === 'both' ? (['planted', 'null'] as const) : ([which] as const);
  const tally = new Map<string, { runs: number; reported: number; withoutAccuracy: number; named: number }>();
  for (const seed of seeds) {
    for (const kind of kinds) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'causal-sweep-'));
      try {
        const p = await trainAndProbe(dir, kind, hubCriticalBitDataset(800, seed, { null: kind === 'null' }), seed);
        const v = p.verdict;
        // the accuracy test runs only when every other condition held: without it, a divergence
        const withoutAccuracy = p.accuracyTest !== null;
        const named = v.reported && v.topIntrinsic === HUB_CRITICAL_BIT.critical && v.topRelational === HUB_CRITICAL_BIT.hub;
        const t = tally.get(kind) ?? { runs: 0, reported: 0, withoutAccuracy: 0, named: 0 };
        tally.set(kind, { runs: t.runs + 1, reported: t.reported + (v.reported ? 1 : 0), withoutAccuracy: t.withoutAccuracy + (withoutAccuracy ? 1 : 0), named: t.named + (named ? 1 : 0) });
        console.log(`${kind} seed ${seed}: held-out ${p.ev.accuracy.toFixed(3)} (no-content ${p.ev.noContent.accuracy.toFixed(3)}); ${v.reported ? 'divergence' : 'no divergence'} (${v.reason})`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  for (const [kind, t] of tally) {
    console.log(`${kind}: divergence in ${t.reported} of ${t.runs} runs (${t.named} naming ${HUB_CRITICAL_BIT.critical} against ${HUB_CRITICAL_BIT.hub}); without the accuracy condition ${t.withoutAccuracy} of ${t.runs}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
