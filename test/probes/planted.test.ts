/**
 * The probes against planted truth: small orchestrators are trained on the simulated hub-critical
 * preset (E1 a frequently used, replaceable hub; E7 rarely used but irreplaceable) and on the
 * null preset (ten exchangeable experts, the negative control), then probed every epoch. The test
 * PRINTS the ranks of the planted experts, the paired masking comparison (critical vs hub, routing
 * and sequence KL, Wilcoxon and paired t over the five epochs) and the divergence verdict (by
 * intrinsic importance against relational, and by causal importance against usage), and
 * ASSERTS what must hold whatever the training achieved: the null preset reports no divergence,
 * and every probe value is finite. Whether hub-critical's divergence is recovered depends on how
 * much structure the small orchestrator learned; the printed lines say it. A router that did learn
 * a planted hub-critical policy, and the verdict on it, is planted-learned.test.ts's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { presetTruth } from '../../src/experts/simulated/presets';
import { ensureBackend } from '../../src/orchestrator/backend';
import { causalEpochs, causalVerdict } from '../../src/probes/causal';
import { divergenceRecovery, divergenceVerdict, structureRecovery, taskTruthOf } from '../../src/probes/recovery';
import { runProbes } from '../../src/probes/run-probes';

const ROOT = path.join(__dirname, '..', '..');
const inform = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'inform.cjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });

async function probePreset(dir: string, preset: 'hub-critical' | 'null') {
  const run = path.join(dir, preset);
  const gen = inform(['generate', '--consortium', preset, '--task', 'gsm8k', '--limit', '100', '--pairs', 'sample:12', '--run', run]);
  assert.equal(gen.status, 0, gen.stderr);
  const train = inform(['train', '--run', run, '--epochs', '5', '--hidden', '64', '--seed', '0']);
  assert.equal(train.status, 0, train.stderr);
  const last = train.stdout.split('\n').filter((l) => l.startsWith('epoch 5/5'))[0] ?? '';
  console.log(`${preset}: ${last}`);
  const truth = taskTruthOf(presetTruth(preset), 'gsm8k');
  const mask = truth.critical ? [truth.critical, truth.hub] : [truth.hub];
  const r = await runProbes({ runDir: run, probes: ['structure', 'masking', 'causal'], maskExperts: mask });
  const ids = r.expertIds;
  const trained = r.epochs.filter((e) => e.epoch >= 1);
  for (const e of trained) {
    const s = e.structure!.summaries.find((x) => x.task === 'gsm8k')!;
    const causal = e.causal!.find((x) => x.task === 'gsm8k')!.klRouting;
    const rec = structureRecovery(s, truth, ids, undefined, causal);
    for (const v of causal) assert.ok(Number.isFinite(v));
    for (const v of [...s.relational, ...s.intrinsic, s.collabEntropy, s.giniIncoming]) assert.ok(Number.isFinite(v));
    console.log(
      `${preset} epoch ${e.epoch}: hub ${truth.hub} rank by relational ${rec.hubRankByRelational}, by usage ${rec.hubRankByUsage}; ` +
        (truth.critical ? `critical ${truth.critical} rank by intrinsic ${rec.criticalRankByIntrinsic}, by causal ${rec.criticalRankByCausal}, by relational ${rec.criticalRankByRelational}; ` : 'no critical expert planted; ') +
        `C entropy ${s.collabEntropy.toFixed(3)}, Gini incoming ${s.giniIncoming.toFixed(3)}`,
    );
  }
  for (const p of r.paired.filter((x) => x.task === 'gsm8k')) {
    const f = (v: number | null) => (v === null ? 'n/a' : v.toPrecision(3));
    console.log(`${preset} masking ${p.measure}: ${p.xName} ${p.meanX.toPrecision(3)} vs ${p.yName} ${p.meanY.toPrecision(3)} (epochs ${p.epochs.join(',')}): Wilcoxon p ${f(p.wilcoxonP)}, paired t p ${f(p.tTestP)}`);
  }
  const table11 = r.paired.find((p) => p.task === 'gsm8k' && p.measure === 'klRouting' && p.xName === 'top-intrinsic') ?? null;
  const verdict = divergenceVerdict(
    trained.map((e) => e.structure!.summaries.find((x) => x.task === 'gsm8k')!),
    table11,
    ids,
  );
  const scored = divergenceRecovery(verdict, truth);
  console.log(`${preset} verdict: ${verdict.reported ? 'divergence' : 'no divergence'} (${verdict.reason}); planted divergence ${truth.divergence}; recovery correct: ${scored.correct}`);
  // the causal verdict picks its experts on the train items and tests them on the held-out ones
  const onTrain = await runProbes({ runDir: run, split: 'train', probes: ['structure', 'causal'] });
  const byCausal = causalVerdict('gsm8k', causalEpochs(r.epochs, 'gsm8k'), ids, causalEpochs(onTrain.epochs, 'gsm8k'));
  const scoredCausal = divergenceRecovery(byCausal.verdict, truth);
  console.log(`${preset} verdict by causal importance against usage: ${byCausal.verdict.reported ? 'divergence' : 'no divergence'} (${byCausal.verdict.reason}); recovery correct: ${scoredCausal.correct}`);
  return { verdict, scored, byCausal, scoredCausal };
}

test('planted presets: ranks, critical-vs-hub masking over epochs, and no divergence on the null preset', async () => {
  await ensureBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probes-planted-'));
  try {
    await probePreset(dir, 'hub-critical');
    const nul = await probePreset(dir, 'null');
    assert.equal(nul.verdict.reported, false, `the null preset must report no divergence: ${nul.verdict.reason}`);
    assert.equal(nul.scored.correct, true);
    assert.equal(nul.byCausal.verdict.reported, false, `by causal importance too: ${nul.byCausal.verdict.reason}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
