/**
 * The WebAssembly SIMD transpose (src/orchestrator/transpose-simd.ts) against the scalar loop,
 * on shapes with and without full 4x4 blocks (edge strips) and bands of 16 rows, and the view's
 * contract (valid until the next call).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transpose, transposeJs, transposeUsesSimd, transposeView } from '../../src/orchestrator/transpose-simd';

function random(n: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  });
}

test('the SIMD kernel assembles and validates here (Node has WebAssembly SIMD)', () => {
  assert.equal(transposeUsesSimd(), true);
});

test('transpose equals the scalar loop on block-aligned, ragged and thin shapes', () => {
  const shapes: Array<[number, number]> = [[768, 256], [256, 256], [22, 768], [256, 22], [23, 97], [3, 5000], [5000, 3], [17, 130], [64, 33], [1, 1], [4, 4]];
  shapes.forEach(([r, c], i) => {
    const a = random(r * c, i + 1);
    const want = transposeJs(a, r, c);
    assert.deepEqual(transpose(a, r, c), want, `[${r}, ${c}]`);
    // Element check against the definition, not only against the other implementation.
    const got = transposeView(a, r, c);
    for (const [rr, cc] of [[0, 0], [r - 1, c - 1], [Math.floor(r / 2), Math.floor(c / 3)]]) assert.equal(got[cc * r + rr], a[rr * c + cc]);
  });
});

test('transpose returns an array of its own; a view is overwritten by the next call', () => {
  const a = random(64 * 64, 7);
  const kept = transpose(a, 64, 64);
  const view = transposeView(a, 64, 64);
  const first = view[1];
  transposeView(random(64 * 64, 8), 64, 64);
  assert.notEqual(view[1], first);
  assert.equal(kept[1], a[64]);
});

test('a short input is an error naming the shape', () => {
  assert.throws(() => transpose(new Float32Array(10), 4, 4), /10 values for a \[4, 4\] matrix/);
});
