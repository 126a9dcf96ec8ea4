/**
 * The backbone attention's SIMD kernels (src/orchestrator/attention-simd.ts, used by
 * encode-kernel.ts's `attention` and `attentionBackward`) against the scalar loops they replace
 * (`attentionJs`, `attentionBackwardJs`): the same bits for the weights, the mixed values and all
 * three gradients, on the training step's shape, a probe pass's (many items), a key mask, an odd
 * number of tokens and the smallest head width the kernels take (4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionKernels, attentionModuleBytes } from '../../src/orchestrator/attention-simd';
import { attention, attentionBackward, attentionBackwardJs, attentionJs } from '../../src/orchestrator/encode-kernel';

function random(n: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648 - 0.5) * 3;
  });
}

function assertSameBits(got: Float32Array | Float64Array, want: Float32Array | Float64Array, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}]: ${got[i]} against ${want[i]}`);
}

test('the kernels assemble and validate here (Node has WebAssembly SIMD)', () => {
  const wasm = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
  assert.ok(wasm.validate(attentionModuleBytes()));
  assert.ok(attentionKernels(), 'attentionKernels() returned null: the SIMD path would silently not run');
});

test('attention and its backward on the kernels give the scalar loops\' bits', () => {
  const cases: Array<[B: number, T: number, d: number, H: number, masked: number | null]> = [
    [2, 11, 256, 4, null], // a training step
    [40, 11, 256, 4, 3], // a probe read under a mask
    [3, 5, 8, 2, null], // odd T, head width 4
    [2, 6, 48, 3, 0],
  ];
  for (const [B, T, d, H, masked] of cases) {
    const n = B * T * d;
    const [q, k, v, g] = [1, 2, 3, 4].map((s) => random(n, s * 7 + B));
    const keyMask = masked === null ? undefined : Array.from({ length: T }, (_, u) => (u === masked + 1 ? -1e9 : 0));
    const tag = `B ${B}, T ${T}, d ${d}, H ${H}${keyMask ? `, key ${masked! + 1} masked` : ''}`;
    const [att, out] = [new Float64Array(B * H * T * T), new Float32Array(n)];
    const [attJs, outJs] = [new Float64Array(B * H * T * T), new Float32Array(n)];
    attention(q, k, v, B, T, d, H, keyMask, att, out);
    attentionJs(q, k, v, B, T, d, H, keyMask, attJs, outJs);
    assertSameBits(att, attJs, `${tag}: attention weights`);
    assertSameBits(out, outJs, `${tag}: mixed values`);
    const got = attentionBackward(g, q, k, v, att, B, T, d, H);
    const want = attentionBackwardJs(g, q, k, v, attJs, B, T, d, H);
    assertSameBits(got.dq, want.dq, `${tag}: dq`);
    assertSameBits(got.dk, want.dk, `${tag}: dk`);
    assertSameBits(got.dv, want.dv, `${tag}: dv`);
  }
});
