import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { base64ToVector, cachedEncoder, EncodingCache, vectorToBase64 } from '../../src/encoders/cache';
import { hashingEncoder } from '../../src/encoders/hashing';
import type { Encoder } from '../../src/encoders/types';
import { madeTempDir } from '../temp-dirs'; // removed when the file's tests end



test('base64 Float32 round-trips exactly', () => {
  const v = new Float32Array([0, -1.5, 3.4028234663852886e38, 1e-45, Math.PI]);
  assert.deepEqual(base64ToVector(vectorToBase64(v)), v);
  assert.throws(() => base64ToVector(Buffer.from([1, 2, 3]).toString('base64')), /not a Float32 vector/);
});

test('cached encodings are reused across opens; only new texts reach the encoder', async () => {
  const dir = madeTempDir(path.join(os.tmpdir(), 'enc-cache-'));
  const inner = hashingEncoder({ dim: 32 });
  const batches: string[][] = [];
  const spy: Encoder = { name: inner.name, dim: inner.dim, encode: (t) => (batches.push(t), inner.encode(t)) };

  const cache1 = EncodingCache.open(dir);
  const enc1 = cachedEncoder(spy, cache1);
  const v1 = await enc1.encode(['a b c', 'd e f', 'a b c']);
  assert.deepEqual(batches, [['a b c', 'd e f']], 'one batch, a repeated text encoded once');
  assert.deepEqual(v1[0], v1[2]);
  cache1.close();

  const cache2 = EncodingCache.open(dir);
  assert.equal(cache2.size, 2);
  const enc2 = cachedEncoder(spy, cache2);
  const v2 = await enc2.encode(['d e f', 'g h i', 'a b c']);
  assert.deepEqual(batches[1], ['g h i']);
  assert.deepEqual(v2[0], v1[1]);
  assert.deepEqual(v2[2], v1[0]);
  assert.deepEqual(enc2.stats, { encoded: 1, reused: 2 });
  cache2.close();

  // another encoder name is another key space
  const other = cachedEncoder(hashingEncoder({ dim: 32, seed: 1 }), EncodingCache.open(dir));
  await other.encode(['a b c']);
  assert.deepEqual(other.stats, { encoded: 1, reused: 0 });
});

test('a wrong-sized vector from an encoder is an error', async () => {
  const dir = madeTempDir(path.join(os.tmpdir(), 'enc-cache-'));
  const bad: Encoder = { name: 'bad', dim: 4, encode: async (t) => t.map(() => new Float32Array(3)) };
  const cache = EncodingCache.open(dir);
  await assert.rejects(cachedEncoder(bad, cache).encode(['x']), /returned a vector of length 3, expected 4/);
  cache.close();
});
