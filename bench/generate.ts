/**
 * `npm run bench -- generate [--repeats N]`: generation throughput.
 *   1. the simulated consortium (planted-hub, 10 experts) over every bundled item, answers only
 *      (grading is the tasks area's cost), with the transcript store disabled and enabled;
 *   2. a tiny random-weight GGUF through the llama-cpp backend: the shared fixture when it exists,
 *      and the project's own (written by test/fixtures/gguf/write-tiny-llama.ts), so a fresh clone
 *      measures it too.
 *   3. pair generation ("j after i" for all N(N-1) ordered pairs, on top of the N solo answers)
 *      on the simulated consortium, through the store (generateTranscripts pairs: 'all') and as
 *      direct chain steps without it.
 * Items/s counts items answered by every expert of the consortium (for pairs: every solo answer
 * and every ordered pair). The last line is the ratio of simulated items/s with the store over
 * without it (below 1: the store's overhead).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLlamaCppExpert, llamaCppSpec } from '../src/experts/backends/llama-cpp';
import { standalonePrompt } from '../src/experts/chain';
import { loadConsortium } from '../src/experts/consortium';
import { generateTranscripts, pairRequest } from '../src/experts/generate';
import { loadBundledSync } from '../src/tasks';
import type { TaskItem } from '../src/tasks/types';
import { writeTinyLlamaGguf } from '../test/fixtures/gguf/write-tiny-llama';

const TINY_GGUF = path.resolve(__dirname, '../../shared/fixtures/llama-2-tiny-random.gguf');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs the benchmark; `--repeats N` sets how many timed repeats each side gets (default 5). */
export async function run(args: string[]): Promise<void> {
  const repeatsArg = args.indexOf('--repeats');
  const repeats = repeatsArg >= 0 ? Number(args[repeatsArg + 1]) : 5;
  const items: TaskItem[] = [...loadBundledSync('gsm8k'), ...loadBundledSync('mmlu'), ...loadBundledSync('humaneval')];
  const consortium = loadConsortium('planted-hub');
  const experts = consortium.experts;
  console.log(`simulated consortium ${consortium.name}: ${experts.length} experts, ${items.length} bundled items, ${repeats} repeats (median)`);

  const without: number[] = [];
  const withStore: number[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-generate-'));
  for (let r = 0; r < repeats; r++) {
    // alternate the order so warm-up and machine noise do not favour one side
    const runs: (() => Promise<void>)[] = [
      async () => {
        const t0 = process.hrtime.bigint();
        for (const item of items) for (const e of experts) await e.generate(standalonePrompt(item), { item });
        without.push(items.length / (Number(process.hrtime.bigint() - t0) / 1e9));
      },
      async () => {
        const dir = path.join(tmp, `run-${r}`);
        const t0 = process.hrtime.bigint();
        const s = await generateTranscripts({ consortium: experts, items, run: dir, grade: false });
        withStore.push(items.length / (Number(process.hrtime.bigint() - t0) / 1e9));
        if (s.generated !== items.length * experts.length) throw new Error(`expected ${items.length * experts.length} new generations, got ${s.generated}`);
      },
    ];
    if (r % 2) runs.reverse();
    for (const f of runs) await f();
  }
  const size = fs.statSync(path.join(tmp, 'run-0', 'transcripts.jsonl')).size;
  fs.rmSync(tmp, { recursive: true, force: true });
  const a = median(without);
  const b = median(withStore);
  console.log(`simulated, store disabled: ${a.toFixed(1)} items/s (${(a * experts.length).toFixed(0)} answers/s)`);
  console.log(`simulated, store enabled (fsync batch): ${b.toFixed(1)} items/s (${(b * experts.length).toFixed(0)} answers/s); ${(size / 1024).toFixed(0)} KiB of transcripts`);

  // Pairs: N solo + N(N-1) pair answers per item, on a subset of the items.
  const pairItems = items.filter((_, i) => i % 6 === 0).slice(0, 16);
  const pairPlain: number[] = [];
  const pairStored: number[] = [];
  const pairTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pairs-'));
  for (let r = 0; r < Math.max(1, Math.min(repeats, 3)); r++) {
    const runs: (() => Promise<void>)[] = [
      async () => {
        const t0 = process.hrtime.bigint();
        for (const item of pairItems) {
          const solo = [];
          for (const e of experts) solo.push(await e.generate(standalonePrompt(item), { item }));
          for (let i = 0; i < experts.length; i++) {
            for (let j = 0; j < experts.length; j++) {
              if (i === j) continue;
              const req = pairRequest(item, { expertId: experts[i].id, text: solo[i].text });
              await experts[j].generate(req.prompt, { item, previous: req.previous });
            }
          }
        }
        pairPlain.push(pairItems.length / (Number(process.hrtime.bigint() - t0) / 1e9));
      },
      async () => {
        const t0 = process.hrtime.bigint();
        const s = await generateTranscripts({ consortium: experts, items: pairItems, run: path.join(pairTmp, `run-${r}`), grade: false, pairs: 'all' });
        pairStored.push(pairItems.length / (Number(process.hrtime.bigint() - t0) / 1e9));
        const expected = pairItems.length * experts.length * experts.length;
        if (s.generated !== expected) throw new Error(`pairs: expected ${expected} new generations, got ${s.generated}`);
      },
    ];
    if (r % 2) runs.reverse();
    for (const f of runs) await f();
  }
  fs.rmSync(pairTmp, { recursive: true, force: true });
  const pa = median(pairPlain);
  const pb = median(pairStored);
  const perItem = experts.length * experts.length; // N solo + N(N-1) pairs
  console.log(`simulated pairs (all ${experts.length * (experts.length - 1)} ordered pairs + ${experts.length} solo per item, ${pairItems.length} items), store disabled: ${pa.toFixed(2)} items/s (${(pa * perItem).toFixed(0)} answers/s)`);
  console.log(`simulated pairs, store enabled: ${pb.toFixed(2)} items/s (${(pb * perItem).toFixed(0)} answers/s); store overhead ${((pa / pb - 1) * 100).toFixed(0)}% of the time`);

  const ggufDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gguf-'));
  const ggufs: [string, string][] = [];
  if (fs.existsSync(TINY_GGUF)) ggufs.push(['shared llama-2-tiny-random.gguf', TINY_GGUF]);
  else console.log(`shared tiny GGUF: skipped (no ${TINY_GGUF})`);
  ggufs.push(["project's own tiny GGUF", writeTinyLlamaGguf(path.join(ggufDir, 'tiny-llama.gguf'), { seed: 1 })]);
  try {
    for (const [label, file] of ggufs) {
      const spec = llamaCppSpec.parse({ backend: 'llama-cpp', id: 'tiny', model: path.basename(file), modelPath: file, temperature: 0.5, maxTokens: 64, seed: 1, gpu: false });
      const expert = createLlamaCppExpert(spec, { configDir: path.dirname(file) });
      const sample = items.filter((_, i) => i % 20 === 0).slice(0, 8);
      await expert.generate('warm-up', { maxTokens: 4 }); // model load is not generation
      const t0 = process.hrtime.bigint();
      let tokens = 0;
      for (const item of sample) tokens += (await expert.generate(standalonePrompt(item), { item })).usage.completionTokens;
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`tiny GGUF, ${label} (llama-cpp, CPU, max 64 tokens, one expert): ${(sample.length / s).toFixed(2)} items/s, ${(tokens / s).toFixed(0)} tokens/s`);
      await expert.dispose?.();
    }
  } finally {
    fs.rmSync(ggufDir, { recursive: true, force: true });
  }
  console.log(`ratio: ${(b / a).toFixed(3)} (with store over without store, simulated items/s)`);
}
