/**
 * The sandbox's life is bounded by its host's: a host killed with SIGKILL mid-candidate leaves no
 * unshare, sh or python3 behind (and the next start removes its folder), and the wall-clock limit
 * holds inside the sandbox even while the host is too stalled to enforce it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { executeHumanEval, type HumanEvalItem } from '../../src/tasks';
import { expectNoProcesses, processesMatching } from '../notebook/processes';
import { tempDir } from './helpers';

const skip = process.platform !== 'linux' && 'reads /proc';

const item: HumanEvalItem = {
  task: 'humaneval',
  id: 'T/add',
  prompt: 'def add(a: int, b: int) -> int:\n    """Return a + b."""\n',
  canonicalSolution: '    return a + b\n',
  test: 'def check(candidate):\n    assert candidate(1, 2) == 3\n',
  entryPoint: 'add',
};

/** SIGKILLs every process whose command line mentions `marker` (a failing test leaves none). */
function killAll(marker: string): void {
  for (const line of processesMatching(marker)) {
    try {
      process.kill(Number(line.split(':')[0]), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Blocks this thread (no event loop, no CPU) until `done()` or `ms` elapse; returns elapsed ms. */
function stallUntil(done: () => boolean, ms: number): number {
  const t0 = Date.now();
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!done() && Date.now() - t0 < ms) Atomics.wait(cell, 0, 0, 50);
  return Date.now() - t0;
}

test('SIGKILL to the host during a sleeping candidate: the sandbox dies with it, and the next start sweeps its folder', { skip, timeout: 90_000 }, async () => {
  const { dir: tmpRoot, cleanup } = tempDir('inform-sbx-host-');
  try {
    const host = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'sandbox-host.ts'), tmpRoot], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    host.stdout.on('data', (b: Buffer) => (out += b.toString()));
    host.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<void>((r) => host.on('exit', () => r()));
    // Running the candidate: the driver has read (and deleted) program.py.
    const sandboxDir = () => fs.readdirSync(tmpRoot).map((n) => path.join(tmpRoot, n))[0];
    const until = Date.now() + 45_000;
    while (!(sandboxDir() && !fs.existsSync(path.join(sandboxDir(), 'program.py')) && processesMatching(tmpRoot).length > 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const dir = sandboxDir();
    assert.ok(dir, `no sandbox started:\n${out}`);
    assert.match(path.basename(dir), new RegExp(`^inform-sandbox-${host.pid}-`), 'the folder names its owner');
    assert.ok(processesMatching(tmpRoot).some((l) => l.includes('driver.py')), 'the candidate is running');

    host.kill('SIGKILL');
    await exited;
    assert.deepEqual(await expectNoProcesses(tmpRoot, 10_000), [], 'sandbox processes outlived their host');
    assert.ok(fs.existsSync(dir), 'a SIGKILLed host cannot remove its folder');

    // The next sandbox start in any process removes folders whose owner is dead.
    const r = await executeHumanEval(item, '    return a + b\n', { tmpRoot });
    assert.equal(r.status, 'passed', r.detail);
    assert.deepEqual(fs.readdirSync(tmpRoot), [], 'the dead host\'s folder was swept');
  } finally {
    killAll(tmpRoot);
    cleanup();
  }
});

test('the wall-clock limit holds inside the sandbox while the host is stalled', { skip, timeout: 60_000 }, async () => {
  const { dir: tmpRoot, cleanup } = tempDir('inform-sbx-stall-');
  try {
    const pending = executeHumanEval(item, '    import time\n    time.sleep(60)\n    return a + b\n', { tmpRoot, timeoutMs: 500 });
    // The host's event loop is blocked: its own timer cannot fire, and nothing reads the pipes.
    const started = stallUntil(() => processesMatching(tmpRoot).some((l) => l.includes('driver.py')), 20_000);
    assert.ok(started < 20_000, 'the sandbox started');
    const stalled = stallUntil(() => processesMatching(tmpRoot).length === 0, 20_000);
    assert.ok(stalled < 20_000, `the sandbox was still running after ${stalled} ms of host stall (limit 0.5 s + 1 s grace)`);
    const r = await pending;
    assert.equal(r.status, 'timeout', r.detail);
    assert.deepEqual(fs.readdirSync(tmpRoot), []);
  } finally {
    killAll(tmpRoot);
    cleanup();
  }
});
