import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashingEncoder, hashText, murmur3 } from '../../src/encoders/hashing';

function cos(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

test('murmur3 matches the reference x86_32 values', () => {
  // published test vectors of MurmurHash3_x86_32
  assert.equal(murmur3('', 0), 0);
  assert.equal(murmur3('', 1), 0x514e28b7);
  assert.equal(murmur3('', 0xffffffff), 0x81f16f39);
  assert.equal(murmur3('\0\0\0\0', 0), 0x2362f9de);
  assert.equal(murmur3('aaaa', 0x9747b28c), 0x5a97808a);
  assert.equal(murmur3('Hello, world!', 0x9747b28c), 0x24884cba);
  assert.equal(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c), 0x2fa826cd);
  // multi-byte characters hash their UTF-8 bytes (values from an independent Python implementation)
  assert.equal(murmur3('ππππ', 0x9747b28c), 0x474dc9a8);
  assert.equal(murmur3('é', 0), 0x10110787);
  assert.equal(murmur3('日本語テキスト🙂', 7), 0x407ad867);
});

test('768-d unit vectors, deterministic, batched', async () => {
  const enc = hashingEncoder({ dim: 768 });
  assert.equal(enc.name, 'hashing-v1-768');
  assert.equal(enc.dim, 768);
  const texts = ['The answer is 42.', 'def f(x):\n    return x + 1', 'The answer is 42.'];
  const vs = await enc.encode(texts);
  assert.equal(vs.length, 3);
  for (const v of vs) {
    assert.ok(v instanceof Float32Array && v.length === 768);
    assert.ok(Math.abs(cos(v, v) - 1) < 1e-5);
  }
  assert.deepEqual(vs[0], vs[2]);
  assert.deepEqual(hashText('The answer is 42.'), vs[0]);
  assert.deepEqual(hashText(''), new Float32Array(768), 'empty text: zero vector');
  // signed hashing: entries of both signs
  assert.ok(vs[1].some((x) => x > 0) && vs[1].some((x) => x < 0));
});

test('similar texts are closer than unrelated ones; style is visible', () => {
  const a = hashText('Natalia sold 48 clips in April and half as many in May.');
  const b = hashText('Natalia sold forty-eight clips in April, and half as many clips in May.');
  const c = hashText('def below_limit(xs, limit):\n    return all(x < limit for x in xs)');
  assert.ok(cos(a, b) > 0.5, `paraphrase ${cos(a, b)}`);
  assert.ok(cos(a, c) < 0.2, `unrelated ${cos(a, c)}`);
  const think = hashText('<think>\nOkay, let me work through this.\n</think>\n**Final answer:** 6');
  const steps = hashText('## Step 1: compute.\n\nThe final answer is: $\\boxed{6}$');
  assert.ok(cos(think, steps) < 0.6, `different styles ${cos(think, steps)}`);
});

test('options change the encoder name; bad dim is rejected', () => {
  assert.equal(hashingEncoder({ dim: 64, seed: 3 }).name, 'hashing-v1-64-s3');
  assert.throws(() => hashingEncoder({ dim: 1 }), /dim must be an integer >= 2/);
});
