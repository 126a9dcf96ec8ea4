/**
 * The causal verdict against planted truth, on a router that has learned the planted policy.
 * planted.test.ts trains on the simulated consortium with 100 items, too few to learn it, so it
 * only prints. Here a small router (content recipe, d = 16, 8 epochs, ~3 s) trains on
 * test/orchestrator/hidden-bit.ts's hub-critical data: the hub E4 (with its near-copy E5) alone
 * solves the routine 70% of the items, and on the sub-type 30% only E1's answer tells which
 * successor is right. The run folder is the one `inform train --run` writes (dataset.jsonl,
 * recipe.json, checkpoints/epoch-<n>/), so runProbes reads it as it reads any run; the verdict
 * picks its experts on the train items and tests them on the held-out ones, as planted.test.ts
 * does. Planted: a divergence naming E1 (top causal) against E4 (top usage), masking E1 costing
 * accuracy. Null (exchangeable experts, same shapes): none. Fixed seeds; over seeds (scratch
 * sweeps, docs/probes.md) the planted verdict named E1 against E4 in 10 of 10 runs and the null
 * reported none in 20 of 20 (1 of 20 without the verdict's accuracy condition: seed 15, used below).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend } from '../../src/orchestrator/backend';
import { divergenceRecovery } from '../../src/probes/recovery';
import { HUB_CRITICAL_BIT, hubCriticalBitDataset } from '../orchestrator/hidden-bit';
import { report, trainAndProbe } from './learned-causal';

const { critical, hub } = HUB_CRITICAL_BIT;
const SEED = 0;
const NULL_SEED = 15;

test('a router that learned the planted policy: the causal verdict names the critical expert against the hub', async () => {
  await ensureBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probes-planted-learned-'));
  try {
    const p = await trainAndProbe(dir, 'planted', hubCriticalBitDataset(800, SEED), SEED);
    report('planted', p);
    // first the learning: without it a missing divergence would say nothing about the probe
    const { ev, verdict } = p;
    assert.ok(ev.accuracy >= 0.85 && ev.accuracy - ev.noContent.accuracy >= 0.1, `the router should read E1's answer: held-out ${ev.accuracy} vs no-content ${ev.noContent.accuracy}`);
    assert.equal(verdict.reported, true, verdict.reason);
    assert.equal(verdict.topIntrinsic, critical, 'top causal: the critical expert');
    assert.equal(verdict.topRelational, hub, 'top usage: the hub');
    const scored = divergenceRecovery(verdict, { hub, critical, divergence: true });
    assert.deepEqual(scored, { planted: true, reported: true, correct: true, identifiedCritical: true, identifiedHub: true });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('on exchangeable experts of the same shapes the causal verdict reports no divergence', async () => {
  await ensureBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probes-planted-learned-'));
  try {
    // seed 15: the hard case of a 20-seed sweep (docs/probes.md), where the router keys on E2's
    // answers without gaining from them: E2 is the stable top of causal importance and moves routing
    // more than the top-usage E5 (Wilcoxon p 0.0078 over the epochs); only the accuracy condition declines
    const p = await trainAndProbe(dir, 'null', hubCriticalBitDataset(800, NULL_SEED, { null: true }), NULL_SEED);
    report('null', p);
    assert.equal(p.verdict.reported, false, `the null data must report no divergence: ${p.verdict.reason}`);
    assert.match(p.verdict.reason, /moves routing more .*, but masking E\d does not cost accuracy beyond chance/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
