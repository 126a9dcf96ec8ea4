/**
 * Adam's element-wise update as a WebAssembly SIMD loop (four float32 lanes per instruction),
 * assembled here from the instruction list below (no toolchain, no binary blob).
 *
 * Why: the update touches every parameter every step (~920k floats at the paper's size); as 12
 * tfjs kernels per parameter or as a scalar JavaScript loop it took ~5-10x longer than this one
 * pass (docs/performance.md). float32 arithmetic throughout, like PyTorch's and tfjs's Adam.
 *
 *   adam(g, p, m, v, out, n, scale, b1, a1, b2, a2, step, invBc2sqrt, eps)   (pointers: byte offsets)
 *     for i in 0..n step 4 (n a multiple of 4):
 *       gi  = g[i] * scale
 *       m[i] = b1 m[i] + a1 gi;  v[i] = b2 v[i] + a2 gi^2     (a1 = 1 - b1, a2 = 1 - b2, from the caller)
 *       out[i] = p[i] - step m[i] / (sqrt(v[i]) invBc2sqrt + eps)
 *
 *   sumsq(ptr, n): sum of x[i]^2 in float64 (the global gradient norm for clipping; as a
 *     JavaScript loop it took ~2.5 ms of a step at the paper's size)
 */

import type { WasmMemory } from './wasm-arena';
import { compileModule, F32, F64, get, I32, i32, kernelModule, set, simd, uleb, WebAssemblyApi } from './wasm-asm';

/** The module's bytes: one exported function `adam`, one imported memory `env.mem`. */
function assemble(): Uint8Array {
  const f32 = (x: number) => [0x43, ...new Uint8Array(new Float32Array([x]).buffer)];
  const load = [...simd(0x00), 4, 0]; // v128.load align=16 offset=0
  const store = [...simd(0x0b), 4, 0]; // v128.store
  const splat = simd(0x13); // f32x4.splat
  const add = simd(0xe4);
  const sub = simd(0xe5);
  const mul = simd(0xe6);
  const div = simd(0xe7);
  const sqrt = simd(0xe3);
  // params 0..13 as in the header; locals: 14 i, 15 end (i32); 16.. v128
  const [I, END, VS, VB1, VA1, VB2, VA2, VST, VINV, VEPS, GV, MV, VV] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26];
  const at = (ptr: number) => [...get(ptr), ...get(I), 0x6a]; // ptr + i
  const body = [
    ...get(5), ...i32(2), 0x74, ...set(END), // end = n << 2
    ...get(6), ...splat, ...set(VS),
    ...get(7), ...splat, ...set(VB1),
    ...get(8), ...splat, ...set(VA1),
    ...get(9), ...splat, ...set(VB2),
    ...get(10), ...splat, ...set(VA2),
    ...get(11), ...splat, ...set(VST),
    ...get(12), ...splat, ...set(VINV),
    ...get(13), ...splat, ...set(VEPS),
    ...i32(0), ...set(I),
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...get(I), ...get(END), 0x4f, 0x0d, 1, // br_if (i >= end) out of the block
    ...at(0), ...load, ...get(VS), ...mul, ...set(GV),
    ...at(2), ...load, ...get(VB1), ...mul, ...get(GV), ...get(VA1), ...mul, ...add, ...set(MV),
    ...at(3), ...load, ...get(VB2), ...mul, ...get(GV), ...get(GV), ...mul, ...get(VA2), ...mul, ...add, ...set(VV),
    ...at(2), ...get(MV), ...store,
    ...at(3), ...get(VV), ...store,
    ...at(4), ...at(1), ...load, ...get(VST), ...get(MV), ...mul, ...get(VV), ...sqrt, ...get(VINV), ...mul, ...get(VEPS), ...add, ...div, ...sub, ...store,
    ...get(I), ...i32(16), 0x6a, ...set(I),
    0x0c, 0, // br loop
    0x0b, 0x0b, 0x0b, // end loop, end block, end function
  ];
  const func = [2, ...uleb(2), 0x7f, ...uleb(11), 0x7b, ...body];

  // sumsq(ptr, n): sum of x^2 over n floats (n a multiple of 4) in float64 (each pair of lanes
  // promoted, then squared and added in two f64x2 accumulators). params 0 ptr, 1 n; locals: 2 i,
  // 3 end (i32); 4 x, 5 acc0, 6 acc1, 7 w (v128).
  const f64x2 = (op: number) => simd(op);
  const promoteLow = simd(0x5f);
  const fadd = f64x2(0xf0);
  const fmul = f64x2(0xf2);
  const lane = (l: number) => [...simd(0x21), l];
  const highToLow = [...simd(0x0d), ...[8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]];
  const zero = [0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...simd(0x14)]; // f64x2.splat(0)
  const sq = [
    ...get(0), ...get(1), ...i32(2), 0x74, 0x6a, ...set(3), // end = ptr + (n << 2)
    ...get(0), ...set(2),
    ...zero, ...set(5),
    ...zero, ...set(6),
    0x02, 0x40, 0x03, 0x40,
    ...get(2), ...get(3), 0x4f, 0x0d, 1, // br_if (i >= end, unsigned) out
    ...get(2), ...load, ...set(4),
    ...get(4), ...promoteLow, 0x22, 7, ...get(7), ...fmul, ...get(5), ...fadd, ...set(5),
    ...get(4), ...get(4), ...highToLow, ...promoteLow, 0x22, 7, ...get(7), ...fmul, ...get(6), ...fadd, ...set(6),
    ...get(2), ...i32(16), 0x6a, ...set(2),
    0x0c, 0,
    0x0b, 0x0b,
    ...get(5), ...lane(0), ...get(5), ...lane(1), 0xa0, ...get(6), ...lane(0), 0xa0, ...get(6), ...lane(1), 0xa0,
    0x0b,
  ];
  const sqFunc = [2, ...uleb(2), 0x7f, ...uleb(4), 0x7b, ...sq];
  return kernelModule([
    { name: 'adam', params: [I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32], code: func },
    { name: 'sumsq', params: [I32, I32], results: [F64], code: sqFunc },
  ]);
}

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function adamModule(): object | null {
  if (compiled === undefined) compiled = compileModule(assemble);
  return compiled;
}

/** A SIMD Adam over a WebAssembly memory (pointers are byte offsets into it). */
export interface AdamKernel {
  adam(g: number, p: number, m: number, v: number, out: number, n: number, scale: number, b1: number, a1: number, b2: number, a2: number, step: number, invBc2sqrt: number, eps: number): void;
  /** sum of squares of the n floats at byte offset ptr (n a multiple of 4), in float64 */
  sumsq(ptr: number, n: number): number;
}

/** The Adam kernel over `memory` (wasm-arena.ts), or null without WebAssembly SIMD. */
export function createAdamKernel(memory: WasmMemory): AdamKernel | null {
  const mod = adamModule();
  if (!mod) return null;
  const inst = new WebAssemblyApi.Instance(mod, { env: { mem: memory } });
  return { adam: inst.exports.adam as AdamKernel['adam'], sumsq: inst.exports.sumsq as AdamKernel['sumsq'] };
}
