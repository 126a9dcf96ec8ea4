/** Ctrl-C during `inform train` / `inform generate`: exit 130 with one line saying what was kept. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Starts `inform ...args`, sends SIGINT once stdout matches `when`, resolves with the outcome. */
function interruptWhen(args: string[], when: RegExp): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/inform.cjs'), ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    let sent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`never saw ${when} in:\n${out}\n${err}`));
    }, 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (!sent && when.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, pid: child.pid ?? -1 });
    });
  });
}

test('Ctrl-C during inform train exits 130 and says which checkpoints were kept and how to resume', { timeout: 150_000 }, async (t) => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-int-train-'));
  t.after(() => fs.rmSync(run, { recursive: true, force: true }));
  const r = await interruptWhen(['train', '--run', run, '--data', 'synthetic', '--epochs', '200', '--hidden', '8'], /epoch 1\/200/);
  assert.equal(r.signal, null, 'exits by itself, not killed by the signal');
  assert.equal(r.code, 130, r.out + r.err);
  assert.match(r.err, /inform train: interrupted \(SIGINT\); checkpoints epoch-0 \.\. epoch-\d+ kept in .*checkpoints .*run the same command again to resume/);
  assert.ok(fs.existsSync(path.join(run, 'checkpoints', 'epoch-1')));

  // Other settings in the same run: refused, with the CLI's way to start over (not `resume: false`).
  const other = spawnSync(process.execPath, [path.join(ROOT, 'bin/inform.cjs'), 'train', '--run', run, '--data', 'synthetic', '--epochs', '1', '--hidden', '8'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(other.status, 1, other.stdout + other.stderr);
  assert.match(other.stderr, /cannot resume .*epoch-\d+: settings differ from the checkpoint: train\.epochs.*start over in this one with --fresh\)/);
  assert.doesNotMatch(other.stderr, /resume: false/);
  // Starting over ends by saying where the checkpoints are and what to run next.
  const fresh = spawnSync(process.execPath, [path.join(ROOT, 'bin/inform.cjs'), 'train', '--run', run, '--data', 'synthetic', '--epochs', '1', '--hidden', '8', '--fresh'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(fresh.status, 0, fresh.stdout + fresh.stderr);
  assert.match(fresh.stdout, new RegExp(`checkpoints epoch-0 \\.\\. epoch-1 in ${run}/checkpoints; the data trained on is ${run}/dataset\\.jsonl\\nnext: .*loadOrchestratorModel\\(\\{ runDir: "${run}", epoch: N \\}\\)`));
});

test('Ctrl-C during inform generate exits 130, keeps the answers, and a re-run continues', { timeout: 150_000 }, async (t) => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-int-gen-'));
  t.after(() => fs.rmSync(run, { recursive: true, force: true }));
  const args = ['generate', '--consortium', 'planted-hub', '--task', 'humaneval', '--limit', '8', '--run', run];
  const r = await interruptWhen(args, /run directory/);
  assert.equal(r.signal, null);
  assert.equal(r.code, 130, r.out + r.err);
  const m = /interrupted \(SIGINT\); the (\d+) answers stored so far are kept in (.*) \(transcripts\.jsonl, grades\.jsonl\)(; removed \d+ sandbox folders? of unfinished gradings)?; run the same command again/.exec(r.err);
  assert.ok(m, r.err);
  assert.equal(m[2], run);
  const left = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`inform-sandbox-${r.pid}-`));
  assert.deepEqual(left, [], 'no sandbox folder of the interrupted process is left');
  const again = await interruptWhen(args, /^$/); // not interrupted: the pattern never matches a non-empty output
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, new RegExp(`\\(${m[1]} answers stored before this run\\)`));
});
