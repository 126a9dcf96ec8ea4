// How the shared Chromium ends with its host: on process.exit, on SIGTERM, and not on a SIGINT
// the host handles itself (a notebook interrupt). Each path must leave no Chromium, no error on
// stderr (removing the profile while Chromium still wrote crashed kernels with ENOTEMPTY), and no
// profile that the next start would not sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findChromium, removeStaleProfiles } from '../../src/plots/index';
import { expectNoProcesses, processesMatching } from '../notebook/processes';

const skip = findChromium().path ? false : 'Chromium not installed';

interface HostRun {
  profile: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function runHost(mode: 'exit' | 'sigterm' | 'sigint', env: NodeJS.ProcessEnv = process.env): Promise<HostRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'render-then-signal.ts'), mode], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, s) => r([c, s])));
  const profile = stdout.split('\n')[0];
  assert.match(profile, /inform-chromium-/, `no render:\n${stdout}\n${stderr}`);
  return { profile, code, signal, stdout, stderr };
}

/** Kills any Chromium still running on `profile` and removes it (a failing test leaves nothing). */
function cleanUp(profile: string): void {
  for (const line of processesMatching(`--user-data-dir=${profile}`)) {
    try {
      process.kill(Number(line.split(':')[0]), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
}

test('process.exit() after a render: Chromium stopped, profile removed, nothing on stderr', { skip, timeout: 90_000 }, async () => {
  const r = await runHost('exit');
  try {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(await expectNoProcesses(`--user-data-dir=${r.profile}`, 10_000), []);
    assert.ok(!fs.existsSync(r.profile), 'the profile was left behind');
  } finally {
    cleanUp(r.profile);
  }
});

test('SIGTERM after a render ends the process (no handler keeps it alive, no ENOTEMPTY); the next start sweeps the profile', { skip, timeout: 90_000 }, async () => {
  const r = await runHost('sigterm');
  try {
    assert.equal(r.signal, 'SIGTERM', `ended with code ${r.code}:\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /ENOTEMPTY|Error/);
    assert.deepEqual(await expectNoProcesses(`--user-data-dir=${r.profile}`, 10_000), [], 'Chromium outlived its host');
    if (fs.existsSync(r.profile)) assert.ok(removeStaleProfiles().includes(r.profile), 'the profile of a dead owner is swept');
  } finally {
    cleanUp(r.profile);
  }
});

test('a SIGINT the host handles itself (a notebook interrupt) leaves the process and its browser working', { skip, timeout: 90_000 }, async () => {
  const r = await runHost('sigint');
  try {
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /interrupted=true rendered-again=true/);
    assert.deepEqual(await expectNoProcesses(`--user-data-dir=${r.profile}`, 10_000), []);
    assert.ok(!fs.existsSync(r.profile));
  } finally {
    cleanUp(r.profile);
  }
});

test('a longer TMPDIR still works (Chromium\'s socket path below it must stay under 108 bytes)', { skip, timeout: 90_000 }, async () => {
  // ~45 characters: short enough for Chromium's socket directly below it, too long below the profile.
  const tmp = fs.mkdtempSync(path.join('/tmp', 'inform-export-long-tmp-'));
  const long = path.join(tmp, 'abcdefghijkl');
  fs.mkdirSync(long);
  let r: HostRun | undefined;
  try {
    r = await runHost('exit', { ...process.env, TMPDIR: long });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(long).filter((n) => n.startsWith('inform-')), [], 'the profile was left behind');
  } finally {
    if (r) cleanUp(r.profile);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
