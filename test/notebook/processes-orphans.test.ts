/**
 * A runner that dies without cleaning up (SIGKILL; SIGHUP when a terminal closes) must not leave
 * its kernel running under pid 1. The kernel watches its parent and leaves on its own, even when
 * a cell holds its main thread in a synchronous loop (the hung fixture's second code cell).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { expectNoProcesses, processesMatching } from './processes';

const root = path.resolve(__dirname, '..', '..');
const hung = path.join(root, 'test', 'fixtures', 'notebooks', 'hung.ipynb');
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-orphan-test-'));
const skip = process.platform !== 'linux' && 'reads /proc';

/** SIGKILLs whatever matches `marker`, so a failing test leaves nothing behind either. */
function killAll(marker: string): void {
  for (const line of processesMatching(marker)) {
    try {
      process.kill(Number(line.split(':')[0]), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Starts `inform notebooks hung.ipynb` and resolves once its kernel is spinning in code cell 2. */
async function startHungRun(probe: string): Promise<{ cli: ChildProcess; exited: Promise<number | null>; out: () => string; kernelMarker: string }> {
  const cli = spawn(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'notebooks', hung, '--out', outDir], {
    cwd: root,
    env: { ...process.env, INFORM_TEST_MARKER: probe },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  cli.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  cli.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  let ended = false;
  const exited = new Promise<number | null>((r) => cli.on('exit', (code) => ((ended = true), r(code))));
  const until = Date.now() + 90_000;
  while (!/\[1\/3\] cell 2 \.\.\. ok/.test(out) && !ended && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /\[1\/3\] cell 2 \.\.\. ok/, 'the first code cell ran');
  const kernelMarker = `inform-kernel-${cli.pid}-`;
  assert.equal(processesMatching(kernelMarker).length, 1, 'the kernel is running before the signal');
  assert.equal(processesMatching(probe).length, 1, 'the cell\'s child is running before the signal');
  return { cli, exited, out: () => out, kernelMarker };
}

function connectionFiles(cliPid: number): string[] {
  return fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`inform-kernel-${cliPid}-`));
}

after(() => fs.rmSync(outDir, { recursive: true, force: true }));

test('SIGKILL to `inform notebooks`: its kernel notices, and it and the cell\'s child are gone', { skip, timeout: 150_000 }, async () => {
  const probe = `inform-orphan-probe-sigkill-${process.pid}`;
  const run = await startHungRun(probe);
  try {
    run.cli.kill('SIGKILL');
    await run.exited;
    // The kernel polls its parent twice a second and gives its main thread 2 s to exit cleanly.
    assert.deepEqual(await expectNoProcesses(run.kernelMarker, 15_000), [], 'the kernel outlived its runner');
    assert.deepEqual(await expectNoProcesses(probe, 5000), [], 'the child a cell started outlived the kernel');
    assert.deepEqual(connectionFiles(run.cli.pid!), [], 'the connection file was left behind');
  } finally {
    killAll(run.kernelMarker);
    killAll(probe);
    for (const f of connectionFiles(run.cli.pid!)) fs.rmSync(path.join(os.tmpdir(), f), { force: true });
  }
});

test('SIGHUP (closing the terminal) to `inform notebooks` is handled like SIGTERM: exit 129, kernel stopped', { skip, timeout: 150_000 }, async () => {
  const probe = `inform-orphan-probe-sighup-${process.pid}`;
  const run = await startHungRun(probe);
  try {
    run.cli.kill('SIGHUP');
    assert.equal(await run.exited, 129, run.out());
    assert.match(run.out(), /SIGHUP, stopping 1 kernel/);
    assert.deepEqual(await expectNoProcesses(run.kernelMarker, 5000), []);
    assert.deepEqual(await expectNoProcesses(probe, 5000), []);
    assert.deepEqual(connectionFiles(run.cli.pid!), []);
  } finally {
    killAll(run.kernelMarker);
    killAll(probe);
    for (const f of connectionFiles(run.cli.pid!)) fs.rmSync(path.join(os.tmpdir(), f), { force: true });
  }
});

test('a connection file left by a runner and kernel both killed outright is removed by the next run', { skip, timeout: 120_000 }, async () => {
  const gone = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid!; // a pid no longer running
  const stale = path.join(os.tmpdir(), `inform-kernel-${gone}-0123456789ab.json`);
  fs.writeFileSync(stale, '{}');
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'notebooks', path.join(root, 'test', 'fixtures', 'notebooks', 'ok.ipynb'), '--out', outDir], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(!fs.existsSync(stale), 'the stale connection file is still there');
  } finally {
    fs.rmSync(stale, { force: true });
  }
});

test('a notebook that exported a figure: the runner stops the kernel, its Chromium, and removes the profile', { skip, timeout: 150_000 }, async () => {
  // A private temp folder: the kernel's Chromium profile goes there and must be gone afterwards.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-export-tmp-'));
  try {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'notebooks', path.join(root, 'test', 'fixtures', 'notebooks', 'export.ipynb'), '--out', outDir], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: tmp, INFORM_FIGURES_DIR: path.join(tmp, 'figures') },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(await expectNoProcesses(`--user-data-dir=${tmp}`, 10_000), [], 'Chromium outlived the kernel');
    assert.deepEqual(fs.readdirSync(tmp).filter((n) => n.startsWith('inform-')), [], 'a profile or connection file was left behind');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
