import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function inform(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/inform.cjs'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('inform generate fills a run, a re-run generates nothing, a corrupt record is located', { timeout: 120_000 }, (t) => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-generate-'));
  t.after(() => fs.rmSync(run, { recursive: true, force: true }));
  const first = inform('generate', '--consortium', 'heterogeneous', '--task', 'mmlu', '--split', 'test', '--limit', '6', '--run', run);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /simulated consortium: every answer is simulated\): 10 experts \+ oracle x 6 items = 66 standalone answers/);
  assert.match(first.out, /66 new generations, 0 reused, 66 graded/);
  assert.match(first.out, /E1 +simulated:LLaMA 3\.2 1B:E1:[0-9a-f]{8} +accuracy/);
  assert.match(first.err, /generate: 66\/66 done \(100\.0%\) \| answers new 66 reused 0, 0 being graded/, 'plain progress lines when not a terminal; their counts agree');

  const again = inform('generate', '--consortium', 'heterogeneous', '--task', 'mmlu', '--split', 'test', '--limit', '6', '--run', run);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /nothing to generate: all 66 answers were already stored \(0 new generations\)/);
  assert.equal(again.out.replace(/run directory.*\n/, '').split('\n').slice(2).join('\n'), first.out.replace(/run directory.*\n/, '').split('\n').slice(2).join('\n'), 'same accuracies');

  const file = path.join(run, 'transcripts.jsonl');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines[9] = lines[9].replace('"text":"', '"text":"tampered ');
  fs.writeFileSync(file, lines.join('\n'));
  const corrupt = inform('generate', '--consortium', 'heterogeneous', '--task', 'mmlu', '--split', 'test', '--limit', '6', '--run', run);
  assert.equal(corrupt.code, 1);
  assert.match(corrupt.err, new RegExp(`${file.replace(/[.]/g, '\\.')}:10: corrupt record \\(checksum mismatch\\)`));
  const repaired = inform('generate', '--consortium', 'heterogeneous', '--task', 'mmlu', '--split', 'test', '--limit', '6', '--run', run, '--repair');
  assert.equal(repaired.code, 0, repaired.err);
  assert.match(repaired.err, /dropped corrupt line\(s\) 10/);
  assert.match(repaired.out, /1 new generations, 65 reused/);

  // ordered pairs "j after i": the solo answers are reused, only the pairs are new
  const pairs = inform('generate', '--consortium', 'heterogeneous', '--task', 'mmlu', '--split', 'test', '--limit', '6', '--run', run, '--pairs', 'sample:3');
  assert.equal(pairs.code, 0, pairs.err);
  assert.match(pairs.out, /\+ 18 pair answers \("j after i"\): 18 new, 0 reused/);
  assert.equal(JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8')).pairs, 'sample:3');
  const badPairs = inform('generate', '--consortium', 'heterogeneous', '--pairs', 'some', '--run', run);
  assert.equal(badPairs.code, 2);
  assert.match(badPairs.err, /--pairs must be none, all or sample:K/);

  // a real backend: the number of calls is printed before the first one (here every call fails:
  // nothing listens on the endpoint, so the run stops at the first answer)
  const cfg = path.join(run, 'real.yaml');
  fs.writeFileSync(cfg, [
    'name: unreachable-openai',
    'defaults: { backend: openai, topP: 0.7, maxTokens: 16, timeoutMs: 2000, maxRetries: 0 }',
    'experts:',
    '  - { id: A, model: m, apiModel: m, endpoints: ["http://127.0.0.1:9/v1"], temperature: 0.1, seed: 1 }',
    '  - { id: B, model: m, apiModel: m, endpoints: ["http://127.0.0.1:9/v1"], temperature: 0.5, seed: 2 }',
  ].join('\n'));
  const real = inform('generate', '--consortium', cfg, '--task', 'mmlu', '--split', 'test', '--limit', '3', '--pairs', 'all', '--run', path.join(run, 'real'));
  assert.notEqual(real.code, 0);
  assert.match(real.out, /this run makes up to 12 generation calls: 6 standalone answers \+ 6 pair answers \(pairs all\)/);

  const bad = inform('generate', '--consortium', 'heterogeneous', '--chain', 'E1,E42', '--run', run);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--chain names E42, which is not an expert/);
});
