/**
 * `npm run bench -- probes [--items N] [--split test|all] [--rounds R]`: a full probe pass (structure with
 * intrinsic importance, masking of the top-intrinsic and top-relational experts, all ablations)
 * over ONE checkpoint at the paper's size (768-d encodings, d = 256, 4-head backbone, N = 10),
 * against one training epoch of the same model on the same data (through `trainOrchestrator`,
 * which includes its held-out evaluation). Data: a planted synthetic routing dataset of N items
 * (default 266: 200 train + 66 held out, a notebook run's size).
 *
 * The probe pass reads every item by default (`--split all`, the conservative choice: the CLI's
 * default pass reads only the held-out split); it runs with `force` so nothing is reused.
 * Both are timed on the wasm backend in this process, alternating, in 5 rounds (`--rounds R`),
 * with large products on the default threads (gemm-threads.ts: the cores, at most 8, or
 * INFORM_GEMM_THREADS); where that is more than one, each round also runs an epoch and a pass
 * with every product on the calling thread, right after (the A/B in one warm-up state; it doubles
 * the process's passes, so rounds are warmer than the five of earlier sessions), and that ratio is
 * printed above the last line.
 * The first round runs cold (V8 compiles the code as it goes); the probe code still warms up in
 * the second (over eight passes in one process the second took ~1.3x the steady state,
 * docs/performance.md; five rounds since session 7, three before: the pass still got faster in
 * rounds 4 and 5). The last line divides the best pass by the best epoch; each round's own ratio
 * and their median over the warm rounds are printed above it. Process CPU time is printed beside
 * the wall clock (a CPU-time ratio before the last line): on a loaded machine it varies far less.
 *
 * Last line: `ratio: <x> (probe pass over one training epoch)`; the goal is x <= 1 (issue 10) and
 * x <= 0.5 (issue 13). docs/probes.md counts the arithmetic of both sides and says what the pass
 * reuses (one encode per item, masked re-encodes from its mask-independent part, the routing
 * step's pair logits (h Wq Wk^T h) once per encoding, gradients with respect to h only).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend } from '../src/orchestrator/backend';
import { splitRoutingDataset } from '../src/orchestrator/dataset';
import { syntheticRoutingDataset } from '../src/orchestrator/synthetic';
import { gemmThreads, setGemmThreads } from '../src/orchestrator/gemm-threads';
import { trainOrchestrator } from '../src/orchestrator/train';
import { runProbes } from '../src/probes/run-probes';

const D = 768;
const HIDDEN = 256;
const N = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function run(args: string[]): Promise<void> {
  const ii = args.indexOf('--items');
  const nItems = ii >= 0 ? Number(args[ii + 1]) : 266;
  if (!(Number.isInteger(nItems) && nItems >= 8)) throw new Error(`bench probes: --items must be an integer >= 8, got ${args[ii + 1]}`);
  const si = args.indexOf('--split');
  const split = si >= 0 ? args[si + 1] : 'all';
  if (split !== 'all' && split !== 'test') throw new Error(`bench probes: --split must be test or all, got ${args[si + 1]}`);
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 5;
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`bench probes: --rounds must be an integer >= 1, got ${args[ri + 1]}`);
  await ensureBackend('wasm');
  const dataset = splitRoutingDataset(syntheticRoutingDataset({ seed: 3, nItems, nExperts: N, dim: D }), { testFraction: 0.25, seed: 3 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-probes-'));
  try {
    const threads = gemmThreads();
    const epochTimes: number[] = [];
    const probeTimes: number[] = [];
    // the same at one thread (every product on the calling thread, gemm-threads.ts), when the default is more
    const oneThread = { epoch: [] as number[], probe: [] as number[] };
    // process CPU seconds beside the wall clock: other jobs on a shared machine inflate CPU time far less
    const cpuNow = () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1e6;
    };
    const epochCpu: number[] = [];
    const probeCpu: number[] = [];
    /** One training epoch, then one probe pass of its checkpoint: seconds and CPU seconds of each. */
    const epochThenPass = async (runDir: string) => {
      let epochSeconds = 0;
      let epochCpuSeconds = 0;
      let cpuMark = cpuNow();
      await trainOrchestrator({
        dataset,
        runDir,
        model: { hidden: HIDDEN },
        train: { epochs: 1, seed: 0 }, // every round the same model: the same work, only the warm-up differs
        progressBar: false,
        onEpoch: (e) => {
          // epoch 1's CPU: from the previous report (or the start) to its own (training + held-out evaluation)
          if (e.epoch === 1) {
            epochSeconds = e.seconds;
            epochCpuSeconds = cpuNow() - cpuMark;
          }
          cpuMark = cpuNow();
        },
      });
      const c0 = cpuNow();
      const t0 = performance.now();
      let last = t0;
      const parts: string[] = [];
      const r = await runProbes({
        runDir,
        dataset,
        epochs: [1],
        split: split as 'all' | 'test',
        probes: ['structure', 'masking', 'ablations'],
        force: true,
        onProgress: (p) => {
          const now = performance.now();
          parts.push(`${p.probe} ${((now - last) / 1000).toFixed(2)} s`);
          last = now;
        },
      });
      return { epochSeconds, epochCpuSeconds, probeSeconds: (performance.now() - t0) / 1000, probeCpuSeconds: cpuNow() - c0, parts, r };
    };
    for (let round = 0; round < rounds; round++) {
      const m = await epochThenPass(path.join(dir, `run-${round}`));
      epochTimes.push(m.epochSeconds);
      epochCpu.push(m.epochCpuSeconds);
      probeTimes.push(m.probeSeconds);
      probeCpu.push(m.probeCpuSeconds);
      console.log(`  probe parts: ${m.parts.join(', ')}`);
      // the synthetic dataset has no consortium: masking/ablation accuracies are the data fallback here, no chain is run
      console.log(`  masking/ablation accuracy: ${m.r.accuracy.source} (${m.r.accuracy.note})`);
      const all = m.r.epochs[0].structure!.summaries.find((s) => s.task === 'all')!;
      console.log(
        `round ${round + 1}: training epoch ${m.epochSeconds.toFixed(2)} s (${m.epochCpuSeconds.toFixed(2)} s CPU; ${dataset.items.filter((it) => it.split === 'train').length} train items, batch 2); probe pass ${m.probeSeconds.toFixed(2)} s (${m.probeCpuSeconds.toFixed(2)} s CPU) over ${all.nItems} items (${all.avgCalls.toFixed(2)} steps per chain); ${threads} thread(s) for large products; load average ${os.loadavg()[0].toFixed(1)}`,
      );
      if (threads > 1) {
        // the same round with every product on the calling thread, right after (an A/B in one warm-up state)
        setGemmThreads(1);
        const one = await epochThenPass(path.join(dir, `run-${round}-one-thread`));
        setGemmThreads(threads);
        oneThread.epoch.push(one.epochSeconds);
        oneThread.probe.push(one.probeSeconds);
        console.log(`  at one thread: training epoch ${one.epochSeconds.toFixed(2)} s, probe pass ${one.probeSeconds.toFixed(2)} s`);
      }
    }
    const epoch = Math.min(...epochTimes);
    const probe = Math.min(...probeTimes);
    console.log(`paper size: D ${D}, d ${HIDDEN}, N ${N}, backbone on, ${threads} thread(s) for large products; best of ${rounds}: epoch ${epoch.toFixed(2)} s, probe pass ${probe.toFixed(2)} s`);
    console.log(`CPU time, best of ${rounds}: epoch ${Math.min(...epochCpu).toFixed(2)} s, probe pass ${Math.min(...probeCpu).toFixed(2)} s; cpu ratio ${(Math.min(...probeCpu) / Math.min(...epochCpu)).toFixed(3)}`);
    // each round's pass over the epoch timed just before it (one phase of the machine); the last
    // line keeps the bests of the two series, as every earlier session measured it
    const perRound = probeTimes.map((p, r) => p / epochTimes[r]);
    console.log(`per-round ratios: ${perRound.map((x) => x.toFixed(3)).join(', ')} (round 1 cold); median of the warm rounds ${median(rounds > 1 ? perRound.slice(1) : perRound).toFixed(3)}`);
    if (threads > 1) {
      const [e1, p1] = [Math.min(...oneThread.epoch), Math.min(...oneThread.probe)];
      console.log(`at one thread, best of ${rounds}: epoch ${e1.toFixed(2)} s, probe pass ${p1.toFixed(2)} s; ratio at one thread ${(p1 / e1).toFixed(3)}`);
    }
    console.log(`ratio: ${(probe / epoch).toFixed(3)} (probe pass over one training epoch)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
