/**
 * Temp folders that name their owner (src/owned-temp-dirs.ts): what a killed process left is
 * swept by the next start, a live owner's folder never is, and process.exit() removes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeOwnedTempDir, ownerPid, removeOwnedTempDir, sweepDeadOwners } from '../../src/owned-temp-dirs';
import { tempDir } from './helpers';

const host = path.join(__dirname, 'fixtures', 'owned-dir-host.ts');

/** A pid that has just exited (its process is gone). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  assert.equal(r.status, 0);
  return r.pid!;
}

test('ownerPid reads the pid after the prefix and nothing else', () => {
  assert.equal(ownerPid('inform-sandbox-4242-Ab12Cd', 'inform-sandbox-'), 4242);
  assert.equal(ownerPid('inform-sandbox-Ab12Cd', 'inform-sandbox-'), null, 'old unnamed folders are not touched');
  assert.equal(ownerPid('inform-sandbox-probe-12-x', 'inform-sandbox-'), null);
  assert.equal(ownerPid('other-4242-x', 'inform-sandbox-'), null);
});

test('a sweep removes folders and files of dead owners only', () => {
  const { dir: root, cleanup } = tempDir('inform-owned-sweep-');
  try {
    const dead = deadPid();
    const deadDir = path.join(root, `inform-x-${dead}-aaaaaa`);
    fs.mkdirSync(path.join(deadDir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(deadDir, 'sub', 'f.txt'), 'x');
    const deadFile = path.join(root, `inform-x-${dead}-bbbb.json`);
    fs.writeFileSync(deadFile, '{}');
    const mine = path.join(root, `inform-x-${process.pid}-cccccc`);
    fs.mkdirSync(mine);
    const parent = path.join(root, `inform-x-${process.ppid}-dddddd`);
    fs.mkdirSync(parent);
    const foreign = path.join(root, 'inform-x-eeeeee');
    fs.mkdirSync(foreign);
    assert.deepEqual(sweepDeadOwners('inform-x-', root).sort(), [deadDir, deadFile].sort());
    assert.deepEqual(fs.readdirSync(root).sort(), [path.basename(foreign), path.basename(mine), path.basename(parent)].sort());
  } finally {
    cleanup();
  }
});

test('makeOwnedTempDir names this process and sweeps first; removeOwnedTempDir removes it', () => {
  const { dir: root, cleanup } = tempDir('inform-owned-make-');
  try {
    const stale = path.join(root, `inform-y-${deadPid()}-zzzzzz`);
    fs.mkdirSync(stale);
    const dir = makeOwnedTempDir('inform-y-', root);
    assert.equal(ownerPid(path.basename(dir), 'inform-y-'), process.pid);
    assert.ok(!fs.existsSync(stale), 'the dead owner\'s folder was swept');
    assert.equal(removeOwnedTempDir(dir), true);
    assert.deepEqual(fs.readdirSync(root), []);
  } finally {
    cleanup();
  }
});

async function runHost(root: string, mode: 'exit' | 'wait'): Promise<{ dir: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', host, root, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const dir = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', () => (out.includes('\n') ? undefined : reject(new Error('the host printed nothing'))));
  });
  if (mode === 'wait') child.kill('SIGKILL');
  const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (c) => r(c))));
  return { dir, code };
}

test('process.exit() removes the live folders; SIGKILL leaves them for the next sweep', { timeout: 60_000 }, async () => {
  const { dir: root, cleanup } = tempDir('inform-owned-exit-');
  try {
    const exited = await runHost(root, 'exit');
    assert.equal(exited.code, 130);
    assert.ok(!fs.existsSync(exited.dir), 'the exit hook removed the folder');
    const killed = await runHost(root, 'wait');
    assert.ok(fs.existsSync(killed.dir), 'SIGKILL gives no chance to clean up');
    assert.deepEqual(sweepDeadOwners('inform-test-owned-', root), [killed.dir]);
  } finally {
    cleanup();
  }
});
