import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonlLog } from '../../src/experts/store/jsonl-log';

const CHILD = path.join(__dirname, 'fixtures', 'generate-child.ts');
const N_ITEMS = 30; // x 10 experts = 300 answers

/** Runs the child; with `killAfter`, SIGKILLs it once it has reported that many answers. */
function runChild(runDir: string, killAfter?: number): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, runDir, String(N_ITEMS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (killAfter !== undefined && !killed) {
        const m = out.match(/done (\d+)\n(?![\s\S]*done)/);
        if (m && Number(m[1]) >= killAfter) {
          killed = child.kill('SIGKILL');
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ killed: signal === 'SIGKILL', out });
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}

function contents(file: string): { lines: number; records: Map<string, string> } {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  const log = JsonlLog.open<unknown>(file, { readOnly: true });
  const records = new Map([...log.entries()].map(([k, v]) => [k, JSON.stringify(v)]));
  return { lines, records };
}

test('a generation run killed (SIGKILL) several times and restarted equals an uninterrupted run', { timeout: 120_000 }, async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kill-resume-'));
  try {
    const clean = path.join(base, 'clean');
    const killedDir = path.join(base, 'killed');
    const first = await runChild(clean);
    assert.match(first.out, /summary \{"generated":300,"reused":0\}/);

    const kills: number[] = [];
    for (const at of [23, 117, 241]) {
      const r = await runChild(killedDir, at);
      if (r.killed) kills.push(at);
    }
    assert.ok(kills.length >= 2, `expected the child to be killed mid-run, killed at ${kills.join(', ')}`);
    const partial = contents(path.join(killedDir, 'transcripts.jsonl'));
    assert.ok(partial.records.size < 300, `killed runs left ${partial.records.size} of 300 answers`);

    // a kill in the middle of a write leaves half a line: simulate that on top of the real kills
    const transcripts = path.join(killedDir, 'transcripts.jsonl');
    const firstLine = fs.readFileSync(transcripts, 'utf8').split('\n')[0];
    fs.appendFileSync(transcripts, firstLine.slice(0, Math.floor(firstLine.length / 2)));

    const last = await runChild(killedDir);
    assert.match(last.out, /recovered .*transcripts\.jsonl:\d+: truncated a torn final record/);
    const summary = JSON.parse(/summary (.*)/.exec(last.out)![1]) as { generated: number; reused: number };
    assert.equal(summary.generated + summary.reused, 300);
    assert.ok(summary.reused >= partial.records.size, 'the restart reused what the killed runs had stored');

    for (const file of ['transcripts.jsonl', 'grades.jsonl']) {
      const a = contents(path.join(clean, file));
      const b = contents(path.join(killedDir, file));
      assert.equal(b.lines, b.records.size, `${file}: exactly one line per key`);
      assert.equal(b.records.size, a.records.size, `${file}: same number of records`);
      for (const [k, v] of a.records) assert.equal(b.records.get(k), v, `${file}: record ${k}`);
    }
    assert.equal(fs.existsSync(path.join(killedDir, 'transcripts.jsonl.lock')), false, 'lock released at the end');

    const again = await runChild(killedDir);
    assert.match(again.out, /summary \{"generated":0,"reused":300\}/, 'a re-run makes zero new generations');
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
