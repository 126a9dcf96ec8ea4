/**
 * transformersEncoder run for real by @huggingface/transformers on a tiny random BERT-shaped ONNX
 * model the project writes itself (test/fixtures/onnx/write-tiny-models.ts), plus the pooling math.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { l2NormalizeInPlace, meanPool, transformersEncoder } from '../../src/encoders/transformers';
import { loadTransformersModule } from '../../src/experts/backends/transformers-runtime';
import { writeTinyBert } from '../fixtures/onnx/write-tiny-models';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-onnx-enc-'));
const bertDir = writeTinyBert(path.join(tmp, 'tiny-bert'), { hidden: 24 });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('meanPool averages only unmasked tokens; normalisation gives unit vectors', () => {
  // batch 2, seq 3, dim 2
  const hidden = [1, 2, 3, 4, 100, 100, /* second */ 5, 5, 7, 9, 11, 13];
  const mask = [1, 1, 0, 1, 1, 1];
  const [a, b] = meanPool(hidden, mask, [2, 3, 2]);
  assert.deepEqual([...a], [2, 3]);
  assert.deepEqual([...b], [Math.fround(23 / 3), 9]);
  const [z] = meanPool([1, 2], [0], [1, 1, 2]);
  assert.deepEqual([...z], [0, 0]);
  const v = l2NormalizeInPlace(Float32Array.from([3, 4]));
  assert.ok(Math.abs(v[0] - 0.6) < 1e-7 && Math.abs(v[1] - 0.8) < 1e-7);
  assert.throws(() => meanPool([1, 2, 3], [1], [1, 1, 2]), /hidden has 3 values/);
});

test('encodes with the real ONNX runtime: dim from config, finite, unit norm, batch-size independent', async () => {
  const enc = transformersEncoder({ modelDir: bertDir, pooling: 'mean', normalize: true, batchSize: 2 });
  try {
    assert.equal(enc.dim, 24);
    const texts = ['the answer is 42', 'def add(a, b): return a + b', 'option b is correct because', 'how many apples', 'x'];
    const vs = await enc.encode(texts);
    assert.equal(vs.length, texts.length);
    for (const v of vs) {
      assert.equal(v.length, 24);
      assert.ok(v.every(Number.isFinite));
      const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      assert.ok(Math.abs(n - 1) < 1e-5, `norm ${n}`);
    }
    assert.notDeepEqual(vs[0], vs[1]);
    // Padding must not leak into the mean: one text alone gives the same vector as in a padded batch.
    const [alone] = await enc.encode([texts[4]]);
    for (let i = 0; i < 24; i++) assert.ok(Math.abs(alone[i] - vs[4][i]) < 1e-5);
  } finally {
    await enc.dispose?.();
  }
});

test('unnormalised vectors are the plain masked mean', async () => {
  const enc = transformersEncoder({ modelDir: bertDir, normalize: false, batchSize: 2 });
  // The reference mean comes from the model's token states through transformers.js's own
  // feature-extraction pipeline (its mean pooling), not from our meanPool.
  const T = loadTransformersModule();
  const extractor = await T.pipeline('feature-extraction', bertDir, { device: 'cpu', dtype: 'fp32' });
  try {
    // Different lengths in one batch: the short text is padded, and padding must not enter its mean.
    const texts = ['the answer', 'option b is correct because the premise holds'];
    const vs = await enc.encode(texts);
    const ref = await extractor(texts, { pooling: 'mean', normalize: false });
    assert.deepEqual(ref.dims, [2, 24]);
    const want = ref.data as Float32Array;
    for (let t = 0; t < 2; t++) {
      for (let d = 0; d < 24; d++) assert.ok(Math.abs(vs[t][d] - want[t * 24 + d]) < 1e-5, `text ${t} dim ${d}: ${vs[t][d]} vs ${want[t * 24 + d]}`);
    }
    const n = Math.sqrt(vs[0].reduce((s, x) => s + x * x, 0));
    assert.ok(n > 0 && Math.abs(n - 1) > 1e-3, 'not unit length');
    assert.notEqual(enc.name, transformersEncoder({ modelDir: bertDir }).name, 'cache key differs');
    assert.notEqual(transformersEncoder({ modelDir: bertDir, maxLength: 8 }).name, transformersEncoder({ modelDir: bertDir }).name, 'truncation length is part of the cache key');
  } finally {
    await enc.dispose?.();
    await extractor.dispose();
  }
});

test('missing directory or files are clear errors naming the field and the file', () => {
  assert.throws(() => transformersEncoder({ modelDir: path.join(tmp, 'nope') }), /"modelDir".*no directory exists/);
  const partial = path.join(tmp, 'partial');
  fs.mkdirSync(partial);
  fs.writeFileSync(path.join(partial, 'config.json'), '{"hidden_size": 8}');
  assert.throws(() => transformersEncoder({ modelDir: partial }), /has no tokenizer\.json/);
});
