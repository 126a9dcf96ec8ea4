/**
 * Analytic gradients (tf.grads through the whole model and all eight loss terms) against central
 * finite differences, on the deterministic path (no Gumbel noise, no dropout) of a tiny instance.
 *
 * float32 limits the check: each loss evaluation carries ~1e-7 relative rounding, so the step is
 * eps = 5e-3 along a unit direction, and the tolerance is 1% relative plus an absolute floor at the
 * rounding noise of a central difference (4 float32 ulps of the loss over 2 eps, ~5e-5 here), which
 * must stay well below the smallest derivative checked (~2e-4). Directions:
 * the gradient itself (so the check sees the full gradient norm) and two random ones, for every
 * parameter tensor; and the same for the expert representations h.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { compositeLoss, topKMembership } from '../../src/orchestrator/losses';
import { encode, forward, route } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { tinyInstance } from './tiny';

const EPS = 5e-3;
const F32_EPS = 2 ** -23;

/** Allowed |numeric - analytic|: 1% relative, plus the float32 noise floor of (up - down) / (2 eps). */
function tolerance(analytic: number, loss: number): number {
  return (4 * F32_EPS * Math.abs(loss)) / (2 * EPS) + 0.01 * Math.abs(analytic);
}

function unitLike(shape: number[], rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = rng.fill(n, (r) => r.normal());
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return tf.tensor(v.map((x) => x / norm), shape);
}

test('loss gradients match central finite differences for every parameter and for h', async () => {
  await ensureBackend();
  const inst = tinyInstance(9);
  const { model, batch, steps, tau, settings } = inst;
  const opts = { steps, tau };
  const lossOf = () => tf.tidy(() => compositeLoss(forward(model, batch, opts), batch, settings).total.dataSync()[0]);
  // The loss is piecewise smooth: the chosen chain (argmax) and the top-k membership of the
  // diversity term are constant pieces. The check must not straddle a switch between pieces.
  const pathOf = () =>
    tf.tidy(() => {
      const c = forward(model, batch, opts);
      const s = c.s.dataSync() as Float32Array;
      return { chain: c.chosen.arraySync(), topK: Array.from(topKMembership(s, c.s.shape[0], c.s.shape[1], settings.topK)) };
    });
  const basePath = JSON.stringify(pathOf());
  const baseLoss = lossOf();
  const floor = tolerance(0, baseLoss);
  let smallest = Infinity; // smallest gradient norm checked: the floor must be well below it

  const names = Object.keys(model.params);
  const { grads } = tf.variableGrads(() => compositeLoss(forward(model, batch, opts), batch, settings).total, names.map((n) => model.params[n]));
  const rng = new Rng(3);
  let checked = 0;
  let worstAt = "";
  let worst = 0; // largest |numeric - analytic| / (1e-3 + |analytic|)
  const failures: string[] = [];
  for (const name of names) {
    const p = model.params[name];
    const g = grads[p.name];
    assert.ok(g, `no gradient for ${name}`);
    const gNorm = tf.norm(g).dataSync()[0];
    assert.ok(gNorm > 1e-6, `gradient of ${name} is zero: the loss does not reach it`);
    const dirs = [tf.div(g, gNorm), unitLike(p.shape, rng), unitLike(p.shape, rng)];
    const original = p.clone();
    for (const [di, v] of dirs.entries()) {
      const analytic = tf.sum(tf.mul(g, v)).dataSync()[0];
      p.assign(tf.add(original, tf.mul(v, EPS)));
      const up = lossOf();
      assert.equal(JSON.stringify(pathOf()), basePath, `perturbing ${name} changed the chain or the top-k set: pick another seed`);
      p.assign(tf.sub(original, tf.mul(v, EPS)));
      const down = lossOf();
      p.assign(original);
      const numeric = (up - down) / (2 * EPS);
      const rel = Math.abs(numeric - analytic) / (1e-3 + Math.abs(analytic));
      if (rel > worst) [worst, worstAt] = [rel, `${name} dir ${di}: analytic ${analytic.toExponential(3)}, numeric ${numeric.toExponential(3)}`];
      // along the gradient itself the derivative is the gradient's norm; a random direction's can be ~0 by chance
      if (di === 0) smallest = Math.min(smallest, Math.abs(analytic));
      if (Math.abs(numeric - analytic) > tolerance(analytic, baseLoss)) failures.push(`${name} dir ${di}: analytic ${analytic} vs numeric ${numeric}`);
      checked++;
    }
    original.dispose();
  }
  assert.deepEqual(failures, []);
  assert.equal(checked, names.length * 3);
  assert.ok(floor < smallest / 2, `absolute floor ${floor.toExponential(2)} is not well below the smallest gradient norm checked ${smallest.toExponential(2)}`);
  console.log(`gradient check: ${checked} directional derivatives over ${names.length} parameter tensors, worst relative error ${worst.toExponential(2)} (${worstAt})`);

  // Gradient with respect to the expert representations h (what intrinsic importance reads).
  const { h, ctx, hAdapter, hOracle } = tf.tidy(() => encode(model, batch));
  const lossFromH = (hh: tf.Tensor) => compositeLoss({ ...route(model, hh as tf.Tensor3D, ctx, opts), hAdapter: model.config.backbone ? hAdapter : (hh as tf.Tensor3D), hOracle }, batch, settings).total;
  const gh = tf.grad(lossFromH)(h);
  const ghNorm = tf.norm(gh).dataSync()[0];
  assert.ok(ghNorm > 1e-4);
  for (const v of [tf.div(gh, ghNorm), unitLike(h.shape, rng), unitLike(h.shape, rng)]) {
    const analytic = tf.sum(tf.mul(gh, v)).dataSync()[0];
    const up = tf.tidy(() => lossFromH(tf.add(h, tf.mul(v, EPS))).dataSync()[0]);
    const down = tf.tidy(() => lossFromH(tf.sub(h, tf.mul(v, EPS))).dataSync()[0]);
    const numeric = (up - down) / (2 * EPS);
    assert.ok(Math.abs(numeric - analytic) <= tolerance(analytic, baseLoss), `h: analytic ${analytic} vs numeric ${numeric}`);
  }
});
