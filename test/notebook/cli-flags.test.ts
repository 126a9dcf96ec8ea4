/** The `inform` flag parser: boolean flags never swallow the positional that follows them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseFlags } from '../../src/cli/command';

test('parseFlags: declared boolean flags take no value; others do', () => {
  assert.deepEqual(parseFlags(['--jupyter', '00-smoke', '--timeout', '30'], ['jupyter']), { flags: { jupyter: true, timeout: '30' }, positionals: ['00-smoke'] });
  assert.deepEqual(parseFlags(['--keep-going', 'a', 'b', '--out=x'], ['keep-going']), { flags: { 'keep-going': true, out: 'x' }, positionals: ['a', 'b'] });
  assert.deepEqual(parseFlags(['--run', 'd', '--fresh']), { flags: { run: 'd', fresh: true }, positionals: [] });
});

test('`inform notebooks --keep-going <name>` still runs only the named notebook', () => {
  const root = path.resolve(__dirname, '..', '..');
  // A name that does not exist: resolved (and rejected) only if it stayed a positional.
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'inform.cjs'), 'notebooks', '--keep-going', 'no-such-notebook'], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /no notebook 'no-such-notebook'/);
});
