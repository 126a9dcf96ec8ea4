import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const CLI = path.join(__dirname, '..', '..', 'bin', 'inform.cjs');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'data', ...args], { encoding: 'utf8', timeout: 60_000 });

test('`inform data info` reports the bundled samples per split and the sandbox', () => {
  const r = run('info');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /gsm8k +130 bundled items \(train 75, validation 31, test 24\)/);
  assert.match(r.stdout, /mmlu +128 bundled items over 8 subjects/);
  assert.match(r.stdout, /humaneval +31 bundled items/);
  assert.match(r.stdout, /sandbox +\S+python\S* \(Python 3\.\d+/);
});

test('`inform data samples --check` confirms the committed samples; unknown sub-commands exit 2', () => {
  const r = run('samples', '--check');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /up to date/);
  const bad = run('frobnicate');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown sub-command 'frobnicate'/);
});

test('`inform data fetch` refuses a bare --timeout, --dest or --mirror instead of guessing a value', () => {
  for (const flag of ['--timeout', '--dest', '--mirror']) {
    const r = run('fetch', '--task', 'gsm8k', flag);
    assert.equal(r.status, 2, `${flag}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${flag} needs a value`));
  }
});
