import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { expectNoProcesses, processesMatching, processesWithEnv } from './processes';

// The orphan checks of the runner tests are only as good as this helper: it must see a live process.
test('the process finder sees a live process by command line and by environment, and its exit', { skip: process.platform !== 'linux' && 'uses /proc' }, async () => {
  const marker = `inform-finder-probe-${process.pid}`;
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', marker], { env: { ...process.env, INFORM_FINDER_PROBE: marker }, stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(processesMatching(marker).length, 1);
    assert.equal(processesWithEnv(`INFORM_FINDER_PROBE=${marker}`).length, 1);
  } finally {
    child.kill('SIGKILL');
  }
  assert.deepEqual(await expectNoProcesses(marker), []);
  assert.deepEqual(await expectNoProcesses(`INFORM_FINDER_PROBE=${marker}`, 3000, processesWithEnv), []);
});
