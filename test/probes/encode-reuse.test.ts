/**
 * The unmasked encode that keeps the backbone's mask-independent part, and masked re-encodes
 * from it, against `encode` itself (with and without the mask).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBackend, tf } from '../../src/orchestrator/backend';
import { resolveModelConfig } from '../../src/orchestrator/config';
import { disposeBatch, toBatch } from '../../src/orchestrator/dataset';
import { createModel, disposeModel, encode } from '../../src/orchestrator/model';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { encodeMaskedFromParts, encodeWithParts, maskedMix } from '../../src/probes/encode-reuse';
import { disposeEncoded, encodeItems, encodeItemsMasked, readRouting } from '../../src/probes/routing-read';

const N = 6;

function reference(model: ReturnType<typeof createModel>, items: Parameters<typeof toBatch>[0], available?: boolean[]) {
  const batch = toBatch(items, model.config.inputDim);
  try {
    return tf.tidy(() => {
      const e = encode(model, { ex: batch.ex, outputs: batch.outputs }, { available });
      return { h: e.h.arraySync() as number[][][], ctx: e.ctx.arraySync() as number[][] };
    });
  } finally {
    disposeBatch(batch);
  }
}

function assertClose(a: number[] | number[][] | number[][][], b: typeof a, tol: number, tag: string): void {
  const fa = (a as number[]).flat(2) as number[];
  const fb = (b as number[]).flat(2) as number[];
  assert.equal(fa.length, fb.length, tag);
  let worst = 0;
  fa.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - fb[i]))));
  assert.ok(worst <= tol, `${tag}: max abs difference ${worst}`);
}

test('encodeWithParts gives encode()\'s h and ctx; masked re-encodes from its parts give encode() under the mask', async () => {
  await ensureBackend();
  const cfg = resolveModelConfig({ inputDim: 12, nExperts: N, hidden: 8, heads: 2, dropout: 0 });
  const model = createModel(cfg, 4);
  const ds = syntheticRoutingDataset({ seed: 2, nItems: 9, nExperts: N, dim: 12, nDomains: 2 });
  try {
    const { h, ctx, parts } = encodeWithParts(model, ds.items, 4); // batches of 4, 4 and 1
    const want = reference(model, ds.items);
    assertClose(h.arraySync(), want.h, 1e-6, 'unmasked h');
    assertClose(ctx.arraySync(), want.ctx, 1e-6, 'unmasked ctx');
    tf.dispose([h, ctx]);
    // one masked expert (maskedMix's fast path) and two at once (its general loop)
    for (const k of [[0], [3], [1, 3]]) {
      const available = Array.from({ length: N }, (_, i) => !k.includes(i));
      const idx = [8, 1, 2, 5];
      const m = encodeMaskedFromParts(model, parts, idx, available, 3);
      const ref = reference(model, idx.map((i) => ds.items[i]), available);
      const unmaskedRows = idx.map((i) => want.h[i]);
      assertClose(m.h.arraySync(), ref.h, 1e-6, `masked ${k} h`);
      assertClose(m.ctx.arraySync(), ref.ctx, 1e-6, `masked ${k} ctx`);
      // the mask does change the representations (the test would pass for an ignored mask otherwise)
      const diff = Math.max(...((m.h.arraySync() as number[][][]).flat(2) as number[]).map((x, i) => Math.abs(x - (unmaskedRows.flat(2) as number[])[i])));
      assert.ok(diff > 1e-4, `masking expert ${k} changes h (max change ${diff})`);
      tf.dispose([m.h, m.ctx]);
    }
    assert.throws(() => encodeMaskedFromParts(model, parts, [9], Array(N).fill(true)), /item 9 is not in 0\.\.8/);
    // Renormalised attention (the usual path) and the fallback for an item whose attention leaned
    // on the masked expert: pretend item 5's query 2 of head 1 put 0.9 on expert 3 (token 4); that
    // item is rerun through the attention itself, so its values are still encode()'s.
    const available = Array.from({ length: N }, (_, i) => i !== 3);
    assert.deepEqual(maskedMix(parts, [8, 1, 5], available, 2).exact, [], 'no item needs the fallback here');
    const H = 2;
    const T = N + 1;
    const at = ((5 * H + 1) * T + 2) * T + 4;
    const saved = parts.att[at];
    parts.att[at] = 0.9;
    assert.deepEqual(maskedMix(parts, [8, 1, 5], available, H).exact, [2]);
    const m = encodeMaskedFromParts(model, parts, [8, 1, 5], available);
    const ref = reference(model, [8, 1, 5].map((i) => ds.items[i]), available);
    assertClose(m.h.arraySync(), ref.h, 1e-6, 'masked h with the fallback');
    assertClose(m.ctx.arraySync(), ref.ctx, 1e-6, 'masked ctx with the fallback');
    tf.dispose([m.h, m.ctx]);
    parts.att[at] = saved;
  } finally {
    disposeModel(model);
  }
});

test('encodeItemsMasked reads like a fresh masked encoding, with and without a backbone', async () => {
  await ensureBackend();
  const ds = syntheticRoutingDataset({ seed: 3, nItems: 7, nExperts: N, dim: 12, nDomains: 2 });
  for (const backbone of [true, false]) {
    const model = createModel(resolveModelConfig({ inputDim: 12, nExperts: N, hidden: 8, heads: 2, dropout: 0, backbone }), 6);
    const base = encodeItems(model, ds.items);
    try {
      assert.equal(Boolean(base.backbone), backbone);
      const available = [true, true, false, true, true, true];
      const idx = [0, 2, 3, 6];
      const sub = idx.map((i) => ds.items[i]);
      const reused = encodeItemsMasked(model, base, ds.items, idx, available);
      const fresh = encodeItems(model, sub, { available });
      try {
        const a = readRouting(model, sub, { available, encoded: reused });
        const b = readRouting(model, sub, { available, encoded: fresh });
        assert.deepEqual(a.chains, b.chains, `backbone ${backbone}`);
        assertClose(a.C, b.C, 1e-6, `C, backbone ${backbone}`);
        assertClose(a.s, b.s, 1e-6, `s, backbone ${backbone}`);
      } finally {
        disposeEncoded(reused);
        disposeEncoded(fresh);
      }
    } finally {
      disposeEncoded(base);
      disposeModel(model);
    }
  }
});
