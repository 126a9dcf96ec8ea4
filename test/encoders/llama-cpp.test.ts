/**
 * llamaCppEncoder on the project's own tiny random GGUF (and the shared tiny llama when present):
 * real node-llama-cpp embeddings on CPU.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { llamaCppEncoder } from '../../src/encoders/llama-cpp';
import type { Encoder } from '../../src/encoders/types';
import { writeTinyLlamaGguf } from '../fixtures/gguf/write-tiny-llama';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-gguf-enc-'));
const ownModel = writeTinyLlamaGguf(path.join(tmp, 'tiny.gguf'), { seed: 3, nEmbd: 48, nHead: 4, nHeadKv: 4 });
const sharedModel = path.resolve(__dirname, '../..', '../shared/fixtures/llama-2-tiny-random.gguf'); // the repo root, then ../shared
const encoders: Encoder[] = [];
after(async () => {
  for (const e of encoders) await e.dispose?.();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const models: [string, string, number][] = [['own tiny GGUF', ownModel, 48]];
if (fs.existsSync(sharedModel)) models.push(['shared llama-2-tiny-random.gguf', sharedModel, 8]);

for (const [label, file, dim] of models) {
  test(`${label}: finite, right dim, unit norm, deterministic, batched in order`, async () => {
    const enc = llamaCppEncoder({ modelPath: file, gpu: false, threads: 1 });
    encoders.push(enc);
    assert.equal(enc.dim, dim, 'dim read from the GGUF header before loading');
    const texts = ['the answer is 42', 'def add(a, b): return a + b', 'Option B is correct because', ''];
    const a = await enc.encode(texts);
    assert.equal(a.length, texts.length);
    for (const v of a) {
      assert.equal(v.length, dim);
      assert.ok(v.every(Number.isFinite));
    }
    for (const v of a.slice(0, 3)) {
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
    }
    assert.notDeepEqual(a[0], a[1], 'different texts give different vectors');
    const again = await enc.encode([texts[1], texts[0]]);
    assert.deepEqual(again[0], a[1]);
    assert.deepEqual(again[1], a[0]);
  });
}

test('a long text is truncated to the context instead of failing', async () => {
  const enc = llamaCppEncoder({ modelPath: ownModel, gpu: false, threads: 1, contextSize: 32 });
  encoders.push(enc);
  const [v] = await enc.encode(['the answer is '.repeat(200)]);
  assert.equal(v.length, 48);
  assert.notEqual(enc.name, llamaCppEncoder({ modelPath: ownModel }).name, 'the context size (truncation) is part of the cache key');
  assert.ok(v.every(Number.isFinite));
});

test('missing and non-GGUF files are clear errors', () => {
  assert.throws(() => llamaCppEncoder({ modelPath: path.join(tmp, 'nope.gguf') }), /"modelPath".*nope\.gguf/);
  const notGguf = path.join(tmp, 'bad.gguf');
  fs.writeFileSync(notGguf, 'hello, not a model');
  assert.throws(() => llamaCppEncoder({ modelPath: notGguf }), /bad\.gguf is not a GGUF file/);
});
