import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePaperRun } from '../../src/notebook/paper-runs';
import { paperRunDir, paperRunSpecs, PAPER_PLANS, type PaperRunSpec } from '../../src/notebook/paper-plan';
import * as F from '../../src/notebook/paper-findings';
import { PAPER_TABLE10 } from '../../src/notebook/paper-values';

// A tiny run: the null preset on bundled-or-official MMLU (no sandbox), 12 items, two epochs.
const spec: PaperRunSpec = { preset: 'null', task: 'mmlu', seed: 0, epochs: 2, limitPerTask: 12, pairs: { sample: 2 }, hidden: 16 };

test('ensurePaperRun computes every step once, then reuses all of them; other settings retrain', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-paper-runs-'));
  try {
    const first = await ensurePaperRun(spec, { root });
    assert.equal(first.dir, paperRunDir(spec, root));
    assert.ok(first.computed.generations > 0, 'answers generated on a cold run');
    assert.equal(first.computed.dataset, true);
    assert.equal(first.computed.trainedEpochs, 2);
    assert.deepEqual([...first.computed.probes].sort(), ['ablations', 'masking', 'perturbations', 'structure']);
    assert.deepEqual(first.epochs.map((e) => e.epoch), [0, 1, 2]);
    assert.match(first.label, /^SIMULATED consortium simulated-null \(10 experts\) on MMLU: 9 train \+ 3 test items from /);
    assert.ok(first.label.includes(first.dataSource));
    assert.equal(first.items.train + first.items.test, 12);
    assert.ok(first.truth, 'a preset has planted truth');
    for (const it of first.dataset.items) assert.ok(it.split === 'train' || it.split === 'test');

    const second = await ensurePaperRun(spec, { root });
    assert.deepEqual(second.computed, { generations: 0, dataset: false, trainedEpochs: 0, probes: [] });
    // The same probe tables come back from disk.
    assert.deepEqual(
      second.probes.epochs.map((e) => e.structure!.summaries),
      first.probes.epochs.map((e) => e.structure!.summaries),
    );
    const table = (dir: string) => fs.readFileSync(path.join(dir, 'probes', 'series', 'structure.csv'), 'utf8');
    assert.equal(table(second.dir), table(first.dir));

    // Another epoch count: the stored checkpoints came from other settings, so training starts over.
    const longer = await ensurePaperRun({ ...spec, epochs: 3 }, { root });
    assert.equal(longer.computed.generations, 0, 'the answers are shared');
    assert.equal(longer.computed.trainedEpochs, 3);
    assert.deepEqual(longer.epochs.map((e) => e.epoch), [0, 1, 2, 3]);

    // The findings read the run: the null preset plants no divergence.
    const rec = F.recoveryRows([longer]);
    assert.equal(rec.length, 1);
    assert.equal(rec[0]['planted divergence'], 'no');
    assert.equal(rec[0]['planted critical'], '');
    const t10 = F.table10Rows([longer]);
    assert.deepEqual(t10.map((r) => r.epoch), [1, 2, 3]);
    assert.deepEqual(t10.map((r) => r['paper rho']), PAPER_TABLE10.mmlu.slice(0, 3).map((p) => p.rho));
    const s = F.startDistributionRows(longer);
    assert.equal(s.length, 10);
    for (const e of [1, 2, 3]) {
      const total = s.reduce((a, r) => a + Number(r[`epoch ${e}`]), 0);
      assert.ok(Math.abs(total - 1) < 2e-3, `s(x) at epoch ${e} sums to 1 (${total})`);
    }
    assert.match(F.recoveryStatement([longer]), /no hub is planted.*reported no divergence in \d\/1 seeds \(none is planted: the negative control\)/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the default plans name every run once, under runs/paper/<preset>-<task>-s<seed>', () => {
  const specs = [...paperRunSpecs(PAPER_PLANS.core), ...paperRunSpecs(PAPER_PLANS.centralization)];
  const dirs = specs.map((s) => paperRunDir(s, '/r'));
  assert.equal(new Set(dirs).size, dirs.length);
  assert.ok(dirs.includes('/r/hub-critical-gsm8k-s2'));
  assert.ok(dirs.includes('/r/null-mmlu-s0'));
  assert.equal(paperRunDir({ preset: 'data/consortia/homogeneous.yaml', task: 'gsm8k', seed: 1 }, '/r'), '/r/homogeneous-gsm8k-s1');
});

test('effectiveSuccessors is exp of the entropy of the normalised incoming mass', () => {
  assert.ok(Math.abs(F.effectiveSuccessors([1, 1, 1, 1]) - 4) < 1e-12);
  assert.ok(Math.abs(F.effectiveSuccessors([2, 0, 0]) - 1) < 1e-12);
  assert.ok(Number.isNaN(F.effectiveSuccessors([0, 0])));
});
