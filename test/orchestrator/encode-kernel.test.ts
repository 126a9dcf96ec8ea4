/**
 * The fused encode op (encode-kernel.ts, what `encode` runs) against `encodeByOps`, the same
 * computation op by op with tfjs's autodiff: h, ctx, hAdapter and hOracle, and the gradients of a
 * random weighted sum of them with respect to every parameter, with and without the backbone,
 * dropout, an oracle and masked experts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { encode, encodeByOps, route, type EncodeOptions } from '../../src/orchestrator/model';
import { Rng } from '../../src/orchestrator/rng';
import { tinyInstance } from './tiny';

const CASES: Array<{ name: string; backbone: boolean; oracle: boolean; dropout: boolean; available?: boolean[] }> = [
  { name: 'backbone, oracle', backbone: true, oracle: true, dropout: false },
  { name: 'backbone, dropout, oracle', backbone: true, oracle: true, dropout: true },
  { name: 'backbone, masked expert, no oracle', backbone: true, oracle: false, dropout: true, available: [true, true, false, true] },
  { name: 'no backbone, dropout, oracle', backbone: false, oracle: true, dropout: true },
  { name: 'no backbone, no oracle', backbone: false, oracle: false, dropout: false },
];

for (const c of CASES) {
  test(`fused encode = op-by-op encode, values and parameter gradients (${c.name})`, async () => {
    await ensureBackend();
    const { model, batch, config } = tinyInstance(17, c.backbone);
    const [B, N] = batch.outputs.shape;
    const rng = new Rng(4);
    const inputs = { ex: batch.ex, outputs: batch.outputs, ...(c.oracle ? { oracle: batch.oracle } : {}) };
    const mask = c.dropout ? tf.tensor3d(rng.fill(B * N * config.hidden, (r) => (r.uniform() < 0.3 ? 0 : 1 / 0.7)), [B, N, config.hidden]) : undefined;
    const opts: EncodeOptions = { dropoutMask: mask, available: c.available };
    const fused = encode(model, inputs, opts);
    const plain = encodeByOps(model, inputs, opts);
    const keys: Array<'h' | 'ctx' | 'hAdapter' | 'hOracle'> = ['h', 'ctx', 'hAdapter', ...(c.oracle ? (['hOracle'] as const) : [])];
    assert.equal(Boolean(fused.hOracle), c.oracle);
    for (const k of keys) {
      const a = fused[k]!.dataSync();
      const b = plain[k]!.dataSync();
      assert.deepEqual(fused[k]!.shape, plain[k]!.shape);
      for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5 + 1e-5 * Math.abs(b[i]), `${k}[${i}]: fused ${a[i]} vs ops ${b[i]}`);
    }
    const weights = Object.fromEntries(keys.map((k) => [k, tf.tensor(rng.fill(plain[k]!.size, (r) => r.normal()), plain[k]!.shape)]));
    const names = Object.keys(model.params);
    const gradsOf = (fn: typeof encode) =>
      tf.variableGrads(() => {
        const e = fn(model, inputs, opts);
        return tf.addN(keys.map((k) => tf.sum(tf.mul(e[k]!, weights[k])))) as tf.Scalar;
      }, names.map((n) => model.params[n])).grads;
    const gf = gradsOf(encode);
    const gp = gradsOf(encodeByOps);
    let checked = 0;
    for (const n of names) {
      const v = model.params[n].name;
      if (!gp[v]) continue; // not on the encode path (routing parameters)
      assert.ok(gf[v], `no fused gradient for ${n}`);
      const av = gf[v].dataSync();
      const bv = gp[v].dataSync();
      const scale = Math.max(1e-3, ...Array.from(bv, Math.abs));
      for (let i = 0; i < bv.length; i++) assert.ok(Math.abs(av[i] - bv[i]) <= 1e-4 * scale, `d/d ${n}[${i}]: fused ${av[i]} vs ops ${bv[i]}`);
      checked++;
    }
    assert.equal(checked, c.backbone ? 17 : 6);
  });
}

test('fused encode and route refuse mis-shaped inputs, naming them', async () => {
  await ensureBackend();
  const { model, batch } = tinyInstance(17, true);
  const [B, N] = batch.outputs.shape;
  assert.throws(() => encode(model, { ...batch, oracle: tf.zeros([B, 5]) as tf.Tensor2D }), /oracle has shape \[3,5\]/);
  assert.throws(() => encode(model, batch, { dropoutMask: tf.ones([B, N, 3]) as tf.Tensor3D }), /dropoutMask has shape/);
  assert.throws(() => encode(model, { ...batch, ex: tf.zeros([B, 7]) as tf.Tensor2D }), /ex has shape/);
  const { h, ctx } = encode(model, batch);
  assert.throws(() => route(model, h, ctx, { steps: 3, gumbel: tf.zeros([B, 2, N]) as tf.Tensor3D }), /gumbel has shape \[3,2,4\]/);
});
