// The notebook runner SIGKILLs a kernel that hangs. Chromium runs in its own process group, so
// the kill does not reach it directly: this checks that it still goes away with its parent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { findChromium, removeStaleProfiles } from '../../src/plots/index';

const skip = findChromium().path ? false : 'Chromium not installed: nothing to leave behind';

function alive(pattern: string): number {
  return spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
}

/** playwright's default temp folders; the renderer keeps its own inside the profile instead */
const artifactFolders = () => new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('playwright-artifacts-')));

test('a SIGKILLed process leaves no Chromium running, and its profile is cleaned up later', { skip, timeout: 60_000 }, async () => {
  const artifactsBefore = artifactFolders();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'render-and-wait.ts')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const profile = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
  });
  assert.match(profile, /inform-chromium-/);
  assert.ok(alive(profile) > 0, 'the child started Chromium');
  child.kill('SIGKILL');
  // Chromium notices its DevTools pipe closing and exits; give it a few seconds.
  const deadline = Date.now() + 15_000;
  while (alive(profile) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  assert.equal(alive(profile), 0, `Chromium processes with ${profile} still running`);
  // The killed process could not remove its profile; the next exporter start does.
  assert.ok(fs.existsSync(profile));
  assert.ok(removeStaleProfiles().includes(profile));
  assert.ok(!fs.existsSync(profile));
  // nothing of the killed process's browser is left in the temp folder
  const leaked = [...artifactFolders()].filter((n) => !artifactsBefore.has(n));
  assert.deepEqual(leaked, [], `left in ${os.tmpdir()}: ${leaked.join(', ')}`);
});
