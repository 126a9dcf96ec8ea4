// The shared headless Chromium can die under a long notebook session (OOM killer, a crash). The
// next render must start a new one instead of failing on the dead page until the process restarts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeExporter, exporterProfileDir, findChromium, heatmap, renderFigure } from '../../src/plots/index';

const skip = findChromium().path ? false : 'Chromium not installed: nothing to crash';
after(() => closeExporter());

const fig = heatmap({ name: 'h', z: [[1, 2]], x: ['a', 'b'], y: ['r'] });

test('a render after the shared Chromium died starts a fresh browser', { skip, timeout: 90_000 }, async () => {
  assert.match(await renderFigure(fig, 'svg'), /^<svg/);
  const profile = exporterProfileDir()!;
  const pids = spawnSync('pgrep', ['-f', profile], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  assert.ok(pids.length > 0, 'Chromium is running');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  assert.match(await renderFigure(fig, 'svg'), /^<svg/);
  assert.notEqual(exporterProfileDir(), profile, 'a new browser profile');
});
