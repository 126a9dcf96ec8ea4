/**
 * `npm run bench -- sandbox [--concurrency N] [--rounds R]`: HumanEval candidates graded per
 * second in the sandbox, concurrently (default: one per core) versus the same candidates one
 * at a time. Candidates: every bundled problem's canonical solution and its written wrong
 * variants. Both passes must reach the same verdicts.
 */
import * as os from 'node:os';
import { defaultSandboxConcurrency, executeHumanEval, HUMANEVAL_PROBLEMS, loadBundledSync, sandboxCapabilities, type SandboxStatus } from '../src/tasks';
import { mapWithConcurrency } from '../src/tasks/sandbox/pool';
import { intFlag, parseFlags } from '../src/cli/command';

interface Candidate {
  id: string;
  item: ReturnType<typeof loadBundledSync<'humaneval'>>[number];
  completion: string;
}

async function grade(candidates: Candidate[], concurrency: number): Promise<{ seconds: number; statuses: SandboxStatus[] }> {
  const t0 = process.hrtime.bigint();
  const results = await mapWithConcurrency(candidates, concurrency, (c) => executeHumanEval(c.item, c.completion));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, statuses: results.map((r) => r.status) };
}

/** Runs the benchmark and prints the ratio line last. */
export async function run(args: string[]): Promise<void> {
  const { flags } = parseFlags(args, { values: ['concurrency', 'rounds'] });
  const concurrency = intFlag(flags, 'concurrency', 1) ?? defaultSandboxConcurrency();
  const rounds = intFlag(flags, 'rounds', 1) ?? 1;
  const items = loadBundledSync('humaneval');
  const once: Candidate[] = items.flatMap((item, i) => [
    { id: `${item.id} canonical`, item, completion: item.canonicalSolution },
    ...HUMANEVAL_PROBLEMS[i].mutants.map((m, j) => ({ id: `${item.id} wrong-${j}`, item, completion: m })),
  ]);
  const candidates = Array.from({ length: rounds }, () => once).flat();
  const caps = sandboxCapabilities();
  console.log(`sandbox: ${caps.python} (Python ${caps.pythonVersion}), namespaces ${caps.namespaces ? 'on' : 'off'}; ${os.availableParallelism()} cores`);
  console.log(`candidates: ${candidates.length} (${items.length} problems, canonical + wrong variants, ${rounds} round(s))`);

  await grade(candidates.slice(0, Math.min(4, candidates.length)), 1); // warm the file cache and the probe
  const seq = await grade(candidates, 1);
  const conc = await grade(candidates, concurrency);
  const mismatched = candidates.filter((_, i) => seq.statuses[i] !== conc.statuses[i]).map((c) => c.id);
  if (mismatched.length) throw new Error(`verdicts differ between runs for: ${mismatched.join(', ')}`);
  const passed = seq.statuses.filter((s) => s === 'passed').length;
  const seqRate = candidates.length / seq.seconds;
  const concRate = candidates.length / conc.seconds;
  console.log(`verdicts: ${passed} passed, ${candidates.length - passed} not passed (identical in both runs)`);
  console.log(`sequential:        ${seq.seconds.toFixed(2)} s  ${seqRate.toFixed(2)} candidates/s  (${((seq.seconds / candidates.length) * 1000).toFixed(0)} ms each)`);
  console.log(`concurrency ${String(concurrency).padEnd(5)} ${conc.seconds.toFixed(2)} s  ${concRate.toFixed(2)} candidates/s`);
  console.log(`ratio: ${(concRate / seqRate).toFixed(3)} (concurrent over sequential candidates/s)`);
}
