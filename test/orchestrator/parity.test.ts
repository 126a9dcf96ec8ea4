/**
 * Parity with an independent PyTorch implementation (test/fixtures/torch/reference.py): the same
 * weights and batch go to both; C, s, the final-expert distribution, all eight loss terms and the
 * total must agree to 1e-5, the chosen chain exactly, and the gradient norms per expert
 * representation h_i (of the loss and of sum_t log P(chosen_t)) and per parameter to 1e-4
 * relative. PyTorch runs in float64, so the differences measure tfjs's float32 error.
 * Skipped, with the reason, where /usr/bin/python3 or torch is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { compositeLoss, LOSS_NAMES, type DistillationMode, type UtilityMode } from '../../src/orchestrator/losses';
import { encode, forward, parameterSpecs, route, selectionLogProbFromH } from '../../src/orchestrator/model';
import { tinyInstance } from './tiny';

const PYTHON = '/usr/bin/python3';
const REFERENCE = path.join(__dirname, '..', 'fixtures', 'torch', 'reference.py');

function torchMissing(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : `PyTorch is not importable by ${PYTHON} (${(r.stderr || '').trim().split('\n').pop()})`;
}

function maxAbsDiff(a: unknown, b: unknown): number {
  const fa = (a as number[]).flat(3) as number[];
  const fb = (b as number[]).flat(3) as number[];
  assert.equal(fa.length, fb.length);
  return fa.reduce((m, x, i) => Math.max(m, Math.abs(x - fb[i])), 0);
}

function relClose(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + 1e-7;
}

const missing = torchMissing();

const cases: Array<{ backbone: boolean; selectionReadsH?: boolean; distillation?: DistillationMode; utility?: UtilityMode; exploration?: number }> = [
  { backbone: true },
  { backbone: false },
  // the non-default forms: r . h_i in the score, encoder-space and adapter-space MSE distillation
  { backbone: true, selectionReadsH: true, distillation: 'encoder-mse' },
  { backbone: false, selectionReadsH: true, distillation: 'adapter-mse' },
  // the utility as the exact expectation over one- and two-expert chains, eps-greedy first step
  { backbone: true, utility: 'exact-two-step', exploration: 0.3 },
];
for (const { backbone, ...variant } of cases) {
  test(`tfjs and PyTorch agree on C, s, loss and gradient norms (backbone ${backbone ? 'on' : 'off'}${variant.selectionReadsH ? ', r.h on' : ''}, distillation ${variant.distillation ?? 'adapter-cosine'}${variant.utility ? `, utility ${variant.utility} eps ${variant.exploration}` : ''})`, { skip: missing ? `skipped: ${missing}` : false }, async () => {
    await ensureBackend();
    const inst = tinyInstance(9, backbone, variant);
    const { model, batch, steps, tau, settings } = inst;
    const opts = { steps, tau };

    // tfjs side.
    const cache = forward(model, batch, opts);
    const loss = compositeLoss(cache, batch, settings);
    const names = Object.keys(model.params);
    const { grads } = tf.variableGrads(() => compositeLoss(forward(model, batch, opts), batch, settings).total, names.map((n) => model.params[n]));
    const { h, ctx, hAdapter, hOracle } = tf.tidy(() => encode(model, batch));
    const gLossH = tf.grad((hh: tf.Tensor) => compositeLoss({ ...route(model, hh as tf.Tensor3D, ctx, opts), hAdapter: model.config.backbone ? hAdapter : (hh as tf.Tensor3D), hOracle }, batch, settings).total)(h);
    const gSelH = tf.grad((hh: tf.Tensor) => tf.sum(selectionLogProbFromH(model, hh as tf.Tensor3D, ctx, opts)))(h);

    // PyTorch side.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orch-parity-'));
    const input = {
      config: inst.config,
      params: Object.fromEntries(parameterSpecs(inst.config).map((s) => [s.name, { shape: s.shape, data: Array.from(inst.values[s.name]) }])),
      batch: { ex: batch.ex.arraySync(), outputs: batch.outputs.arraySync(), oracle: batch.oracle.arraySync(), hasOracle: batch.hasOracle.arraySync(), correct: batch.correct.arraySync(), pairCorrect: batch.pairCorrect.arraySync() },
      steps,
      tau,
      topK: settings.topK,
      lengthAlpha: settings.lengthAlpha,
      weights: settings.weights,
      distillation: settings.distillation,
      utility: settings.utility,
      exploration: settings.exploration,
    };
    fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify(input));
    const run = spawnSync(PYTHON, [REFERENCE, 'parity', path.join(dir, 'in.json'), path.join(dir, 'out.json')], { encoding: 'utf8' });
    assert.equal(run.status, 0, `reference.py failed: ${run.stderr}`);
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8'));
    fs.rmSync(dir, { recursive: true, force: true });

    const diffs = {
      C: maxAbsDiff(cache.C.arraySync(), ref.C),
      s: maxAbsDiff(cache.s.arraySync(), ref.s),
      finalDist: maxAbsDiff(cache.finalDist.arraySync(), ref.finalDist),
      total: Math.abs(loss.total.dataSync()[0] - ref.total),
      ...Object.fromEntries(LOSS_NAMES.map((n) => [n, Math.abs(loss.terms[n].dataSync()[0] - ref.terms[n])])),
    };
    console.log(`parity (torch ${ref.torch}, backbone ${backbone}): max |tfjs - torch| = ${JSON.stringify(Object.fromEntries(Object.entries(diffs).map(([k, v]) => [k, Number(v.toExponential(2))])))}`);
    for (const [k, v] of Object.entries(diffs)) assert.ok(v <= 1e-5, `${k} differs by ${v}`);
    assert.deepEqual(cache.chosen.arraySync(), ref.chosen);
    assert.deepEqual(cache.stepMask.arraySync(), ref.stepMask);

    const normsLoss = tf.norm(gLossH, 'euclidean', -1).arraySync() as number[][];
    const normsSel = tf.norm(gSelH, 'euclidean', -1).arraySync() as number[][];
    normsLoss.flat().forEach((x, i) => assert.ok(relClose(x, ref.gradNormLossH.flat()[i], 1e-4), `|dL/dh| entry ${i}: ${x} vs ${ref.gradNormLossH.flat()[i]}`));
    normsSel.flat().forEach((x, i) => assert.ok(relClose(x, ref.gradNormSelH.flat()[i], 1e-4), `|dlogP/dh| entry ${i}: ${x} vs ${ref.gradNormSelH.flat()[i]}`));
    assert.ok(normsSel.flat().some((x) => x > 1e-3), 'selection gradients w.r.t. h are all ~0');
    for (const n of names) {
      const mine = tf.norm(grads[model.params[n].name]).dataSync()[0];
      assert.ok(relClose(mine, ref.gradNormParams[n], 1e-4), `|dL/d ${n}|: tfjs ${mine} vs torch ${ref.gradNormParams[n]}`);
    }
    console.log(`parity: per-expert |d log P(chosen) / d h_i| (item 0) tfjs ${JSON.stringify(normsSel[0].map((x) => Number(x.toFixed(6))))} torch ${JSON.stringify(ref.gradNormSelH[0].map((x: number) => Number(x.toFixed(6))))}`);
  });
}
