/**
 * A kernel asked to shut down exits by itself (kernel-launch.cjs), with exit code 0, instead of
 * lingering until the runner's grace period ends and SIGTERM (exit code 143) ends it: that wait
 * cost ~3 s per notebook.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { startKernelProcess, stopKernelProcess } from '../../src/notebook/kernel-process';
import { KernelClient } from '../../src/notebook/kernel-client';

const root = path.resolve(__dirname, '..', '..');

test('shutdown_request: the kernel replies and its process exits with code 0 on its own', { timeout: 120_000 }, async () => {
  const kp = await startKernelProcess({ cwd: path.join(root, 'notebooks') });
  const client = KernelClient.connect(kp.connection);
  try {
    await client.waitReady(60_000, kp.exited);
    assert.equal(await client.shutdown(10_000), true, 'replied');
    const t0 = Date.now();
    const how = await Promise.race([kp.exited, new Promise<string>((r) => setTimeout(() => r('still running after 5 s'), 5000).unref())]);
    assert.equal(how, 'exit code 0', kp.log());
    console.log(`exited ${((Date.now() - t0) / 1000).toFixed(2)} s after the shutdown reply`);
  } finally {
    client.close();
    await stopKernelProcess(kp, 0);
  }
});
