/**
 * Matrix products as a WebAssembly SIMD loop over 4 x 8 output blocks, assembled here like
 * adam-simd.ts (no toolchain, no binary blob). Every product of the fused training ops
 * and of the probes runs here (through host-matmul.ts).
 *
 * Why not tfjs's matMul (the wasm backend's XNNPACK GEMM): it packs its second operand into its
 * own layout and caches that per tensor, and in training every weight is a new tensor every step,
 * so every product re-packed, or needed a transposed copy of the weight to avoid it; each operand
 * also became a tensor (a copy into the backend's heap). This loop reads both operands as they
 * are stored: at the paper's shapes ([22, 768] x [768, 256], and a^T dY for the weight gradient)
 * it ran at ~8.5-9.8 G multiply-adds per second against XNNPACK's ~8 with a cached packed operand
 * and ~2 with a fresh one (docs/performance.md).
 *
 *   gemm(A, sAr, sAk, B, ldb, C, ldc, M, N, K, acc)   (pointers and strides in bytes)
 *     C[m, n] = (acc ? C[m, n] : 0) + sum_{k < K} A[m sAr + k sAk] B[k ldb + n]   for m < M, n < N
 *     N a multiple of 8. Each C[m, n] is summed in float32 in order of k, then added to C: the
 *     scalar loop below (gemmJs) does the same arithmetic in the same order, so both give the same
 *     bits. A's strides make A^T free: a [K, M] storage is sAr = 4, sAk = 4 M.
 *
 * Inner loop (4 rows x 8 columns): two 4-lane loads of B's row k, and for each of the 4 rows a
 * load-and-splat of A[m, k], two multiplies and two adds into 8 accumulators held in registers.
 */
import { compileModule, get, I32, i32, kernelModule, loop, set, simd, tee, uleb, V128, WebAssemblyApi } from './wasm-asm';
import type { WasmMemory } from './wasm-arena';

/** Rows per block of the inner loop (4 measured fastest: 2, 3, 5 and 6 were 10-35% slower). */
const ROWS = 4;

function assemble(sharedMaxPages?: number): Uint8Array {
  const vload = (offset: number) => [...simd(0x00), 0, ...uleb(offset)]; // align 1: any address
  const vstore = (offset: number) => [...simd(0x0b), 0, ...uleb(offset)];
  const load32Splat = [...simd(0x09), 0, 0]; // v128.load32_splat: A[m, k] in all four lanes
  const fadd = simd(0xe4);
  const fmul = simd(0xe6);
  const zero = [...simd(0x0c), ...new Array<number>(16).fill(0)]; // v128.const 0
  const [ADD, SUB, MUL] = [0x6a, 0x6b, 0x6c];
  // params (i32): 0 A, 1 sAr, 2 sAk, 3 B, 4 ldb, 5 C, 6 ldc, 7 M, 8 N, 9 K, 10 acc
  const [A, SAR, SAK, Bp, LDB, Cp, LDC, M, N, K, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  // locals (i32): 11 n0 (byte offset of the column block), 12 m, 13 k left, 14 pb, 15 pc,
  // 16 n end (bytes), 17.. one A pointer per row; then v128: two accumulators per row, b0, b1, a.
  const [N0, Mi, KL, PB, PC, NEND] = [11, 12, 13, 14, 15, 16];
  const PA = (r: number) => 17 + r;
  const V = 17 + ROWS;
  const ACCV = (r: number, half: number) => V + 2 * r + half;
  const [B0, B1, AV] = [V + 2 * ROWS, V + 2 * ROWS + 1, V + 2 * ROWS + 2];
  const rows = (R: number, f: (r: number) => number[]) => Array.from({ length: R }, (_, r) => f(r)).flat();
  /** The block of R rows starting at row m, columns n0..n0+7; advances m by R. */
  const block = (R: number) => [
    ...get(A), ...get(Mi), ...get(SAR), MUL, ADD, ...set(PA(0)),
    ...rows(R - 1, (r) => [...get(PA(r)), ...get(SAR), ADD, ...set(PA(r + 1))]),
    ...get(Bp), ...get(N0), ADD, ...set(PB),
    ...rows(R, (r) => [...zero, ...set(ACCV(r, 0)), ...zero, ...set(ACCV(r, 1))]),
    ...get(K), ...set(KL),
    ...loop([...get(KL), 0x45], [
      ...get(PB), ...vload(0), ...set(B0),
      ...get(PB), ...vload(16), ...set(B1),
      ...rows(R, (r) => [
        ...get(PA(r)), ...load32Splat, ...tee(AV),
        ...get(B0), ...fmul, ...get(ACCV(r, 0)), ...fadd, ...set(ACCV(r, 0)),
        ...get(AV), ...get(B1), ...fmul, ...get(ACCV(r, 1)), ...fadd, ...set(ACCV(r, 1)),
        ...get(PA(r)), ...get(SAK), ADD, ...set(PA(r)),
      ]),
      ...get(PB), ...get(LDB), ADD, ...set(PB),
      ...get(KL), ...i32(1), SUB, ...set(KL),
    ]),
    ...get(Cp), ...get(Mi), ...get(LDC), MUL, ADD, ...get(N0), ADD, ...set(PC),
    ...rows(R, (r) => [
      ...get(ACC), 0x04, 0x40, // if acc: the sum is added to what C holds
      ...get(PC), ...vload(0), ...get(ACCV(r, 0)), ...fadd, ...set(ACCV(r, 0)),
      ...get(PC), ...vload(16), ...get(ACCV(r, 1)), ...fadd, ...set(ACCV(r, 1)),
      0x0b,
      ...get(PC), ...get(ACCV(r, 0)), ...vstore(0),
      ...get(PC), ...get(ACCV(r, 1)), ...vstore(16),
      ...get(PC), ...get(LDC), ADD, ...set(PC),
    ]),
    ...get(Mi), ...i32(R), ADD, ...set(Mi),
  ];
  const body = [
    ...get(N), ...i32(2), 0x74, ...set(NEND),
    ...i32(0), ...set(N0),
    ...loop([...get(N0), ...get(NEND), 0x4e], [
      ...i32(0), ...set(Mi),
      ...loop([...get(Mi), ...i32(ROWS), ADD, ...get(M), 0x4a], block(ROWS)), // while m + ROWS <= M
      ...loop([...get(Mi), ...i32(2), ADD, ...get(M), 0x4a], block(2)), // the last M % ROWS rows in pairs (a token batch has 22 rows)
      ...loop([...get(Mi), ...get(M), 0x4e], block(1)), // and the odd one
      ...get(N0), ...i32(32), ADD, ...set(N0),
    ]),
    0x0b,
  ];
  const func = [2, ...uleb(6 + ROWS), I32, ...uleb(2 * ROWS + 3), V128, ...body];
  return kernelModule([{ name: 'gemm', params: new Array<number>(11).fill(I32), code: func }], sharedMaxPages);
}

/** The kernel's entry point (arguments as in the header). */
export type GemmRun = (A: number, sAr: number, sAk: number, B: number, ldb: number, C: number, ldc: number, M: number, N: number, K: number, acc: number) => void;

let compiled: object | null | undefined;

/** The kernel compiled over a shared memory of at most `maxPages` pages (gemm-threads.ts), or null without SIMD or threads. */
export function compileSharedGemm(maxPages: number): object | null {
  return compileModule(() => assemble(maxPages));
}

/**
 * The kernel over `memory` (operands and results are byte offsets into it), or null where
 * WebAssembly SIMD is unavailable.
 */
export function createGemm(memory: WasmMemory): GemmRun | null {
  if (compiled === undefined) compiled = compileModule(assemble);
  if (!compiled) return null;
  return new WebAssemblyApi.Instance(compiled, { env: { mem: memory } }).exports.gemm as GemmRun;
}

/**
 * One term a b of a product: `a` holds an [M, K] matrix, stored as [M, K] ('MK') or transposed as
 * [K, M] ('KM'); `b` is [K, N].
 */
export interface ProductTerm {
  a: Float32Array;
  aStored: 'MK' | 'KM';
  b: Float32Array;
}

/** Throws when a term's operands are too short for [M, K] x [K, N]. */
export function checkTerm(t: ProductTerm, M: number, K: number, N: number): void {
  if (t.a.length < M * K) throw new Error(`gemm: ${t.a.length} values for a [${M}, ${K}] operand`);
  if (t.b.length < K * N) throw new Error(`gemm: ${t.b.length} values for a [${K}, ${N}] operand`);
}

/**
 * Rows per call of the kernel for an inner dimension K: as many as keep their share of A in the L2
 * cache (~128 KB) while the kernel sweeps every column block over them (with thousands of rows A
 * was otherwise streamed from memory once per block of 8 columns), in whole blocks of 4 rows.
 */
export function rowsPerCall(K: number): number {
  return Math.max(ROWS, Math.floor((128 * 1024) / (4 * K) / ROWS) * ROWS);
}

/** C [M, N] out of a result stored with rows of N8 >= N floats from float offset `at` of F (a new array). */
export function unpadRows(F: Float32Array, at: number, M: number, N: number, N8: number): Float32Array {
  if (N8 === N) return F.slice(at, at + M * N);
  const out = new Float32Array(M * N);
  for (let r = 0; r < M; r++) out.set(F.subarray(at + r * N8, at + r * N8 + N), r * N);
  return out;
}

/** The same arithmetic as a scalar loop, in the same order (where WebAssembly SIMD is unavailable, and for tests). */
export function gemmJs(terms: ProductTerm[], M: number, K: number, N: number): Float32Array {
  for (const t of terms) checkTerm(t, M, K, N);
  const out = new Float32Array(M * N);
  const acc = new Float32Array(1); // float32 accumulation, as in the SIMD lanes
  terms.forEach((t, i) => {
    const [sAr, sAk] = t.aStored === 'MK' ? [K, 1] : [1, M];
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        acc[0] = 0;
        for (let kk = 0; kk < K; kk++) acc[0] += Math.fround(t.a[m * sAr + kk * sAk] * t.b[kk * N + n]);
        out[m * N + n] = i > 0 ? out[m * N + n] + acc[0] : acc[0];
      }
    }
  });
  return out;
}
