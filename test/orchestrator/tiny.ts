/** A tiny orchestrator instance shared by the gradient-check and PyTorch-parity tests. */
import assert from 'node:assert/strict';
import type { tf } from '../../src/orchestrator/backend';
import { resolveModelConfig, resolveTrainConfig, type ModelConfig } from '../../src/orchestrator/config';
import { toBatch, type RoutingBatch } from '../../src/orchestrator/dataset';
import type { DistillationMode, LossSettings, UtilityMode } from '../../src/orchestrator/losses';
import { createModel, parameterSpecs, type OrchestratorModel } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';

export interface TinyInstance {
  config: ModelConfig;
  model: OrchestratorModel;
  batch: RoutingBatch;
  values: Record<string, Float32Array>;
  steps: number;
  tau: number;
  settings: LossSettings;
}

/**
 * D = 12, d = 8, N = 4, 2 heads, backbone on, a batch of 3 items (one without an oracle).
 * Every parameter, biases and scalars included, gets a random non-trivial value so that no term
 * of the forward pass or the loss is switched off by a zero initialisation.
 */
export function tinyInstance(seed = 7, backbone = true, opts: { selectionReadsH?: boolean; distillation?: DistillationMode; utility?: UtilityMode; exploration?: number } = {}): TinyInstance {
  const config = resolveModelConfig({ inputDim: 12, nExperts: 4, hidden: 8, heads: 2, backbone, dropout: 0, selectionReadsH: opts.selectionReadsH ?? false });
  const rng = new Rng(seed);
  const values: Record<string, Float32Array> = {};
  for (const spec of parameterSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const fanIn = spec.shape.length === 2 ? spec.shape[0] : 4;
    values[spec.name] = rng.fill(n, (r) => (spec.name.endsWith('.g') ? 1 : 0) + r.normal() / Math.sqrt(fanIn));
  }
  const model = createModel(config, values);
  const ds = syntheticRoutingDataset({ seed, nItems: 3, nExperts: 4, dim: 12, nDomains: 2 });
  ds.items[2].oracle = null;
  // graded pairs "j after i", about a third not generated (null), so both the pair term and the
  // solo stand-in of the chain utility are exercised
  const pr = new Rng(seed + 1000);
  ds.items.forEach((it) => (it.pairCorrect = it.correct.map((_, i) => it.correct.map((_, j) => (i === j || pr.uniform() < 0.3 ? null : pr.uniform() < 0.5 ? 1 : 0)))));
  const batch = toBatch(ds.items, 12);
  const weights = resolveTrainConfig({}).weights;
  return { config, model, batch, values, steps: 3, tau: 0.7, settings: { weights, topK: 2, lengthAlpha: 0.25, distillation: opts.distillation ?? 'adapter-cosine', utility: opts.utility ?? 'rollout', exploration: opts.exploration ?? 0, lengthPenalty: config.lengthPenalty } };
}

/**
 * Asserts that two sets of parameter gradients (tf.variableGrads' output, by variable name) agree
 * within 1e-4 of each parameter's largest reference entry, and that at least `minReached`
 * parameters got one: how the fused ops' tests compare them with their op-by-op references.
 */
export function assertGradientsAgree(model: OrchestratorModel, fused: Record<string, tf.Tensor>, reference: Record<string, tf.Tensor>, minReached = 15): void {
  let checked = 0;
  for (const n of Object.keys(model.params)) {
    const v = model.params[n].name;
    if (!reference[v]) continue;
    assert.ok(fused[v], `no fused gradient for ${n}`);
    const av = fused[v].dataSync();
    const bv = reference[v].dataSync();
    const scale = Math.max(1e-4, ...Array.from(bv, Math.abs));
    for (let i = 0; i < bv.length; i++) assert.ok(Math.abs(av[i] - bv[i]) <= 1e-4 * scale, `d/d ${n}[${i}]: fused ${av[i]} vs ops ${bv[i]}`);
    checked++;
  }
  assert.ok(checked >= minReached, `only ${checked} parameters reached`);
}
