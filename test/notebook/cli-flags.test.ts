/** The `inform` flag parser: declared flags only, booleans never swallow the next word, typos are errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseFlags, suggestFlag, UsageError } from '../../src/cli/command';

const ROOT = path.resolve(__dirname, '..', '..');

function inform(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'inform.cjs'), ...args], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('parseFlags: declared boolean flags take no value; value flags do', () => {
  const nb = { values: ['timeout', 'out'], booleans: ['jupyter', 'keep-going'] };
  assert.deepEqual(parseFlags(['--jupyter', '00-smoke', '--timeout', '30'], nb), { flags: { jupyter: true, timeout: '30' }, positionals: ['00-smoke'] });
  assert.deepEqual(parseFlags(['--keep-going', 'a', 'b', '--out=x'], nb), { flags: { 'keep-going': true, out: 'x' }, positionals: ['a', 'b'] });
  assert.deepEqual(parseFlags(['--run', 'd', '--fresh', '--seed', '-1'], { values: ['run', 'seed'], booleans: ['fresh'] }), { flags: { run: 'd', fresh: true, seed: '-1' }, positionals: [] });
  assert.deepEqual(parseFlags(['a', '--', '--not-a-flag'], {}), { flags: {}, positionals: ['a', '--not-a-flag'] });
});

test('parseFlags: an undeclared flag is a UsageError with the closest known flag', () => {
  const spec = { values: ['consortium', 'epochs', 'hidden', 'timeout'], booleans: ['fresh'] };
  const cases: [string[], RegExp][] = [
    [['--consortum', 'x'], /^unknown flag --consortum \(did you mean --consortium\?\)$/],
    [['--epoch', '1'], /did you mean --epochs\?/],
    [['--hiden=8'], /^unknown flag --hiden \(did you mean --hidden\?\)$/],
    [['--timout', '5'], /did you mean --timeout\?/],
    [['--zzzzzzzz'], /^unknown flag --zzzzzzzz; known flags: --consortium, --epochs, --hidden, --timeout, --fresh$/],
    [['-x'], /^unknown flag -x/],
    [['--fresh=yes'], /--fresh takes no value/],
    [['--hidden'], /--hidden needs a value/],
    [['--hidden', '--fresh'], /--hidden needs a value/],
  ];
  for (const [argv, re] of cases) assert.throws(() => parseFlags(argv, spec), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
  assert.equal(suggestFlag('seed', ['consortium', 'hidden']), undefined, 'no far-fetched suggestion');
});

test('`inform notebooks --keep-going <name>` still runs only the named notebook', () => {
  // A name that does not exist: resolved (and rejected) only if it stayed a positional.
  const r = inform('notebooks', '--keep-going', 'no-such-notebook');
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /no notebook 'no-such-notebook'/);
});

test('misspelt flags of generate, train and notebooks stop with exit 2 and a suggestion (they ran with defaults)', () => {
  const cases: [string[], RegExp][] = [
    [['generate', '--consortum', 'planted-hub', '--task', 'mmlu', '--limit', '1', '--run', path.join('runs', 'no-such-cli-flags-test')], /unknown flag --consortum \(did you mean --consortium\?\)/],
    [['train', '--hiden', '8', '--epoch', '1'], /unknown flag --hiden \(did you mean --hidden\?\)/],
    [['notebooks', 'no-such-notebook', '--timout', '5'], /unknown flag --timout \(did you mean --timeout\?\)/],
    [['kernel', 'status', '--usr'], /did you mean --user\?/],
    [['data', 'fetch', '--tsk', 'gsm8k'], /did you mean --task\?/],
    [['data', 'info', '--verbose'], /unknown flag --verbose; this command takes no flags/],
  ];
  for (const [argv, re] of cases) {
    const r = inform(...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.out}${r.err}`);
    assert.match(r.err, re, argv.join(' '));
  }
});

test('every command listed by `inform --help` refuses an unknown flag (the parser is shared)', () => {
  const help = inform('--help');
  const names = [...help.out.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]);
  assert.ok(names.length >= 6 && names.includes('generate') && names.includes('train'), help.out);
  // sub-commands that need a word first
  const prefix: Record<string, string[]> = { data: ['info'], kernel: ['status'] };
  for (const name of names) {
    const r = inform(name, ...(prefix[name] ?? []), '--zzz-no-such-flag');
    assert.equal(r.code, 2, `${name}: ${r.out}${r.err}`);
    assert.match(r.err, /unknown flag --zzz-no-such-flag/, name);
  }
});
