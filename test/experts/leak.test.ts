/**
 * Issue 9, "no leaks by default": on held-out responses, a logistic probe on the hashing
 * encodings predicts correctness no better (within one standard error) than a probe on the answer
 * and agreement features alone; with the cues of the leaky condition it does better, so this
 * test can fail. Runs every planted-hub expert on all bundled items (2890 responses).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aucStandardError, leakCheck } from '../../src/experts/simulated/leak-check';
import { simulatedPresetSpecs } from '../../src/experts/simulated/presets';
import { loadTaskItems } from '../../src/tasks';

const sel = loadTaskItems({ source: 'bundled' });

test('aucStandardError is the Hanley-McNeil formula', () => {
  // AUC 0.75, 50 positives and 50 negatives: Q1 = 0.6, Q2 = 0.642857...; SE = 0.0488365 (computed by hand in Python)
  assert.ok(Math.abs(aucStandardError(0.75, 50, 50) - 0.0488365) < 1e-6);
});

test('zero-leak (the presets as shipped): the encoding probe does not beat the answer + agreement probe by more than one SE', { timeout: 300_000 }, async () => {
  const specs = simulatedPresetSpecs('planted-hub');
  assert.ok(specs.every((s) => s.cues === 0));
  const r = await leakCheck({ specs, items: sel.items, splitOf: sel.splitOf });
  console.log(`zero-leak: feature AUC ${r.featureAuc.toFixed(3)} (SE ${r.featureAucSe.toFixed(3)}), encoding AUC ${r.encodingAuc.toFixed(3)} on ${r.nTest} held-out responses`);
  assert.ok(r.nTest >= 500);
  assert.ok(r.featureAuc > 0.6, 'agreement does carry correctness, as in real consortia');
  assert.ok(r.encodingAuc <= r.featureAuc + r.featureAucSe, `encoding AUC ${r.encodingAuc} vs feature AUC ${r.featureAuc} + SE ${r.featureAucSe}`);
});

test('leaky condition (cues 0.45, the old default): the encoding probe beats the feature probe by more than one SE', { timeout: 300_000 }, async () => {
  const specs = simulatedPresetSpecs('planted-hub').map((s) => ({ ...s, cues: 0.45 }));
  const r = await leakCheck({ specs, items: sel.items, splitOf: sel.splitOf });
  console.log(`leaky: feature AUC ${r.featureAuc.toFixed(3)} (SE ${r.featureAucSe.toFixed(3)}), encoding AUC ${r.encodingAuc.toFixed(3)}`);
  assert.ok(r.encodingAuc > r.featureAuc + r.featureAucSe, `encoding AUC ${r.encodingAuc} vs feature AUC ${r.featureAuc} + SE ${r.featureAucSe}`);
});
