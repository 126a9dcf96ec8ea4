/**
 * `inform probe` end to end on a small simulated run: `inform generate` and `inform train`, then
 * the probe pass writes its tables into the run folder; a second pass reuses every table; a
 * changed checkpoint is recomputed; bad flags exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const inform = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'inform.cjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });

test('inform probe: --help, bad flags, tables written and reused', () => {
  const help = inform(['probe', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: inform probe --run <dir>/);
  const bad = inform(['probe', '--run', '/nonexistent', '--bogus']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown flag --bogus/);
  assert.equal(inform(['probe']).status, 2);
  assert.equal(inform(['probe', '--run', 'x', '--probes', 'nope']).status, 2);
  assert.equal(inform(['probe', '--run', 'x', '--epochs', '3-1']).status, 2);
  const zero = inform(['probe', '--run', 'x', '--max-steps', '0']);
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--max-steps must be at least 1, got 0/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-cli-'));
  try {
    const run = path.join(dir, 'run');
    const gen = inform(['generate', '--consortium', 'planted-hub', '--task', 'gsm8k', '--limit', '24', '--run', run]);
    assert.equal(gen.status, 0, gen.stderr);
    const train = inform(['train', '--run', run, '--epochs', '2', '--hidden', '16']);
    assert.equal(train.status, 0, train.stderr);

    const first = inform(['probe', '--run', run, '--mask', 'E1,E6']);
    assert.equal(first.status, 0, first.stderr);
    console.log(first.stdout.trim());
    assert.match(first.stdout, /simulated consortium/);
    // masking and ablation accuracies come from chains run through the consortium, not the data
    assert.match(first.stdout, /masking\/ablation accuracy: chains run \(\d+ chains graded now/);
    for (const e of [0, 1, 2]) {
      for (const f of ['structure.json', 'experts.csv', 'structure.csv', 'collab.csv', 'masking.csv', 'ablations.csv', 'perturbations.csv']) {
        assert.ok(fs.existsSync(path.join(run, 'probes', `epoch-${e}`, f)), `epoch-${e}/${f} missing`);
      }
    }
    for (const f of ['series/structure.csv', 'series/paired.csv', 'series/table8.csv', 'cascade.csv', 'cascade.json']) assert.ok(fs.existsSync(path.join(run, 'probes', f)), `${f} missing`);
    const paired = fs.readFileSync(path.join(run, 'probes', 'series', 'paired.csv'), 'utf8');
    assert.match(paired, /top-intrinsic,top-relational/);
    assert.match(paired, /E1,E6/);
    assert.match(first.stdout, /\(\d+ computed, 0 reused\)/);

    const second = inform(['probe', '--run', run, '--mask', 'E1,E6']);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /\(0 computed, 12 reused\)/);

    // another mask list is another input of the masking tables only
    const third = inform(['probe', '--run', run, '--mask', 'E6', '--epochs', '1-2', '--probes', 'structure,masking']);
    assert.equal(third.status, 0, third.stderr);
    assert.match(third.stdout, /\(2 computed, 2 reused\)/);

    // a horizon is an input of every table: the structure tables are computed again under it
    const fourth = inform(['probe', '--run', run, '--epochs', '1', '--probes', 'structure', '--max-steps', '2']);
    assert.equal(fourth.status, 0, fourth.stderr);
    assert.match(fourth.stdout, /\(1 computed, 0 reused\)/);

    // the opt-in integrated probe: its own table per epoch and a series, over the structure's chains
    const fifth = inform(['probe', '--run', run, '--epochs', '1-2', '--probes', 'integrated']);
    assert.equal(fifth.status, 0, fifth.stderr);
    // integrated twice; epoch 1's structure again (the run above stored it under --max-steps 2), epoch 2's reused
    assert.match(fifth.stdout, /\(3 computed, 1 reused\)/);
    const rows = fs.readFileSync(path.join(run, 'probes', 'series', 'integrated.csv'), 'utf8').trim().split('\n');
    assert.equal(rows[0], 'epoch,task,expert,integrated');
    assert.equal(rows.length, 1 + 2 * 2 * 10, 'epochs 1-2 x (gsm8k, all) x 10 experts');
    assert.ok(rows.slice(1).some((r) => Number(r.split(',')[3]) > 0), 'every integrated value is 0');

    // the opt-in causal probe: every expert masked in turn, one row per expert with masking's readings
    const sixth = inform(['probe', '--run', run, '--epochs', '2', '--probes', 'causal']);
    assert.equal(sixth.status, 0, sixth.stderr);
    const causal = fs.readFileSync(path.join(run, 'probes', 'epoch-2', 'causal.csv'), 'utf8').trim().split('\n');
    assert.equal(causal[0], 'epoch,task,expert,klRouting,klSequence,accuracyChange,itemsLost,itemsGained');
    assert.equal(causal.length, 1 + 2 * 10, '(gsm8k, all) x 10 experts');
    const masking = fs.readFileSync(path.join(run, 'probes', 'epoch-2', 'masking.csv'), 'utf8');
    for (const e of ['E1', 'E5', 'E10']) assert.match(masking, new RegExp(`^2,gsm8k,expert-\\d+,.*,${e}$`, 'm'), `masking.csv holds the read masking ${e}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
