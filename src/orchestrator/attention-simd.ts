/**
 * The backbone attention's inner loops (encode-kernel.ts's attention and its backward) as
 * WebAssembly SIMD over pairs of float64 lanes, assembled here like gemm-simd.ts. They do the
 * JavaScript loops' arithmetic in the same order, so they give the same bits:
 *
 *   dots(X, Y, OUT, T, rs, dh2, sT, sU)
 *     OUT[t sT + u sU] (float64) = e + o for t, u < T, where e and o sum X[t, c] Y[u, c] (float32
 *     rows of stride rs bytes) over the even and the odd c < 2 dh2 in order of c: the scores' (and
 *     the backward's dA) two accumulators, d0 and d1, as the two lanes of one f64x2.
 *
 *   mix(COEF, ci, cj, SRC, rsS, OUT, rsO, I, J, dh2, mode)   (dh2 even)
 *     for each row i < I and column c < 2 dh2: a float64 sum over j < J in order of
 *     COEF[i ci + j cj] (float64) SRC[j, c] (float32 rows), written to OUT[i, c] as float32.
 *     mode 0 (the attention's mix): the sum starts at 0 and is rounded once, at the end.
 *     mode 1 (the backward's dv, dq, dk): it starts at OUT[i, c] and is rounded to float32 after
 *     every term, as `out[x] += coef * src` into a Float32Array is; zero coefficients are skipped.
 *
 * Pointers and strides are in bytes, into one memory of this module's own (operands are copied in).
 */
import { compileModule, F64, get, I32, i32, kernelModule, loop, set, simd, uleb, V128, WebAssemblyApi } from './wasm-asm';

function assemble(): Uint8Array {
  const load64Zero = [...simd(0x5d), 3, 0]; // v128.load64_zero: two float32 in the low lanes
  const promote = simd(0x5f); // f64x2.promote_low_f32x4
  const demote = simd(0x5e); // f32x4.demote_f64x2_zero
  const store64Lane0 = [...simd(0x5b), 3, 0, 0]; // v128.store64_lane 0: the two float32
  const fadd = simd(0xf0); // f64x2.add
  const fmul = simd(0xf2); // f64x2.mul
  const splat = simd(0x14); // f64x2.splat
  const lane = (l: number) => [...simd(0x21), l]; // f64x2.extract_lane
  const zero = [...simd(0x0c), ...new Array<number>(16).fill(0)];
  const [ADD, MUL] = [0x6a, 0x6c];
  const GE = 0x4e; // i32.ge_s
  /** for (v = 0; v < limit; v++) body */
  const count = (v: number, limit: number, body: number[]) => [...i32(0), ...set(v), ...loop([...get(v), ...get(limit), GE], [...body, ...get(v), ...i32(1), ADD, ...set(v)])];

  // dots: params 0 X, 1 Y, 2 OUT, 3 T, 4 rs, 5 dh2, 6 sT, 7 sU; locals i32 8 t, 9 u, 10 p, 11 px,
  // 12 py, 13 py2; v128 14 acc, 15 acc2, 16 x. Two keys u, u + 1 per pass (two independent sums
  // share each load of the query), then the last key alone when T is odd.
  const [X, Y, OUT, T, RS, DH2, ST, SU] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [Ti, Ui, P, PX, PY, PY2, ACC, ACC2, XV] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
  const pair = (at: number[]) => [...at, ...load64Zero, ...promote];
  const storeDot = (u: number[], acc: number) => [
    ...get(OUT), ...get(Ti), ...get(ST), MUL, ADD, ...u, ...get(SU), MUL, ADD,
    ...get(acc), ...lane(0), ...get(acc), ...lane(1), 0xa0, // f64.add: e + o
    0x39, 3, 0, // f64.store
  ];
  const dotsPass = (two: boolean) => [
    ...get(X), ...get(Ti), ...get(RS), MUL, ADD, ...set(PX),
    ...get(Y), ...get(Ui), ...get(RS), MUL, ADD, ...set(PY),
    ...get(PY), ...get(RS), ADD, ...set(PY2),
    ...zero, ...set(ACC), ...zero, ...set(ACC2),
    ...count(P, DH2, [
      ...pair(get(PX)), ...set(XV),
      ...get(XV), ...pair(get(PY)), ...fmul, ...get(ACC), ...fadd, ...set(ACC),
      ...(two ? [...get(XV), ...pair(get(PY2)), ...fmul, ...get(ACC2), ...fadd, ...set(ACC2)] : []),
      ...get(PX), ...i32(8), ADD, ...set(PX),
      ...get(PY), ...i32(8), ADD, ...set(PY),
      ...get(PY2), ...i32(8), ADD, ...set(PY2),
    ]),
    ...storeDot(get(Ui), ACC),
    ...(two ? storeDot([...get(Ui), ...i32(1), ADD], ACC2) : []),
    ...get(Ui), ...i32(two ? 2 : 1), ADD, ...set(Ui),
  ];
  const dotsBody = [
    ...count(Ti, T, [
      ...i32(0), ...set(Ui),
      ...loop([...get(Ui), ...i32(1), ADD, ...get(T), GE], dotsPass(true)), // while u + 1 < T
      ...loop([...get(Ui), ...get(T), GE], dotsPass(false)),
    ]),
    0x0b,
  ];
  const dots = [2, 6, I32, 3, V128, ...dotsBody]; // locals: 6 i32, 3 v128

  // mix: params 0 COEF, 1 ci, 2 cj, 3 SRC, 4 rsS, 5 OUT, 6 rsO, 7 I, 8 J, 9 dh2 (even), 10 mode;
  // locals i32 11 i, 12 p, 13 j, 14 po, 15 ps; v128 16 acc, 17 acc2, 18 c2; f64 19 c. Two pairs of
  // columns per pass (two independent sums share each coefficient).
  const [COEF, CI, CJ, SRC, RSS, OUTM, RSO, I, J, DH2M, MODE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [Ii, Pm, Jj, PO, PS, ACCM, ACCM2, C2, Cf] = [11, 12, 13, 14, 15, 16, 17, 18, 19];
  const load64At = (off: number) => [...simd(0x5d), 3, ...uleb(off)];
  const initAcc = (off: number, acc: number) => [...get(MODE), 0x04, 0x7b, ...get(PO), ...load64At(off), ...promote, 0x05, ...zero, 0x0b, ...set(acc)]; // mode ? OUT : 0
  const term = (off: number, acc: number) => [
    ...get(C2), ...get(PS), ...load64At(off), ...promote, ...fmul, ...get(acc), ...fadd, ...set(acc),
    ...get(MODE), 0x04, 0x40, ...get(acc), ...demote, ...promote, ...set(acc), 0x0b, // round to float32 after every term
  ];
  const mixBody = [
    ...count(Ii, I, [
      ...i32(0), ...set(Pm),
      ...loop([...get(Pm), ...get(DH2M), GE], [
        ...get(OUTM), ...get(Ii), ...get(RSO), MUL, ADD, ...get(Pm), ...i32(8), MUL, ADD, ...set(PO),
        ...initAcc(0, ACCM), ...initAcc(8, ACCM2),
        ...count(Jj, J, [
          ...get(COEF), ...get(Ii), ...get(CI), MUL, ADD, ...get(Jj), ...get(CJ), MUL, ADD, 0x2b, 3, 0, ...set(Cf), // f64.load
          ...get(MODE), 0x45, ...get(Cf), 0x44, ...new Array<number>(8).fill(0), 0x62, 0x72, // !mode || c != 0
          0x04, 0x40,
          ...get(Cf), ...splat, ...set(C2),
          ...get(SRC), ...get(Jj), ...get(RSS), MUL, ADD, ...get(Pm), ...i32(8), MUL, ADD, ...set(PS),
          ...term(0, ACCM), ...term(8, ACCM2),
          0x0b,
        ]),
        ...get(PO), ...get(ACCM), ...demote, ...store64Lane0,
        ...get(PO), ...get(ACCM2), ...demote, ...simd(0x5b), 3, 8, 0, // v128.store64_lane 0 at offset 8
        ...get(Pm), ...i32(2), ADD, ...set(Pm),
      ]),
    ]),
    0x0b,
  ];
  const mix = [3, 5, I32, 3, V128, 1, F64, ...mixBody]; // locals: 5 i32, 3 v128, 1 f64

  return kernelModule([
    { name: 'dots', params: new Array<number>(8).fill(I32), code: dots },
    { name: 'mix', params: new Array<number>(11).fill(I32), code: mix },
  ]);
}

/** The two entry points (arguments as in the header). */
export interface AttentionKernels {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  dots: (X: number, Y: number, OUT: number, T: number, rs: number, dh2: number, sT: number, sU: number) => void;
  mix: (COEF: number, ci: number, cj: number, SRC: number, rsS: number, OUT: number, rsO: number, I: number, J: number, dh2: number, mode: number) => void;
}

let kernels: AttentionKernels | null | undefined;

/** The kernels over a memory of their own, or null where WebAssembly SIMD is unavailable. */
export function attentionKernels(): AttentionKernels | null {
  if (kernels === undefined) {
    const mod = compileModule(assemble);
    if (!mod) {
      kernels = null;
    } else {
      const memory = new WebAssemblyApi.Memory({ initial: 16 });
      const { exports } = new WebAssemblyApi.Instance(mod, { env: { mem: memory } });
      kernels = { memory, dots: exports.dots as AttentionKernels['dots'], mix: exports.mix as AttentionKernels['mix'] };
    }
  }
  return kernels;
}

/** The kernels for heads of width d / H, or null where they do not apply (a width that is not a multiple of 4, or no WebAssembly SIMD). */
export function attentionKernelsFor(d: number, H: number): AttentionKernels | null {
  return (d / H) % 4 === 0 ? attentionKernels() : null;
}

/** For the tests: the module's bytes validate here. */
export function attentionModuleBytes(): Uint8Array {
  return assemble();
}

/** The kernels' memory with at least `bytes` bytes, and its float32 and float64 views. */
function views(k: AttentionKernels, bytes: number): { F32: Float32Array; F64: Float64Array } {
  const have = k.memory.buffer.byteLength;
  if (have < bytes) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return { F32: new Float32Array(k.memory.buffer), F64: new Float64Array(k.memory.buffer) };
}

/** Byte offsets of consecutive regions of the given sizes, each 16-byte aligned, and the end. */
function layout(sizes: number[]): { at: number[]; end: number } {
  const at: number[] = [];
  let end = 0;
  for (const s of sizes) {
    at.push(end);
    end += 16 * Math.ceil(s / 16);
  }
  return { at, end };
}

/**
 * encode-kernel.ts's `attention` (same arguments, same bits) on the kernels: scores by `dots`, the
 * softmax in JavaScript (Math.exp), the mix by `mix`. dh = d / H must be a multiple of 4.
 */
export function attentionSimd(k: AttentionKernels, q: Float32Array, kk: Float32Array, v: Float32Array, B: number, T: number, d: number, H: number, keyMask: number[] | undefined, att: Float64Array, out: Float32Array): void {
  const dh = d / H;
  const scale = 1 / Math.sqrt(dh);
  const n = B * T * d;
  const nA = B * H * T * T;
  const { at: [Q, K, V, S, M], end } = layout([4 * n, 4 * n, 4 * n, 8 * nA, 4 * n]);
  const { F32, F64 } = views(k, end);
  F32.set(q.subarray(0, n), Q / 4);
  F32.set(kk.subarray(0, n), K / 4);
  F32.set(v.subarray(0, n), V / 4);
  for (let b = 0; b < B; b++) for (let hh = 0; hh < H; hh++) {
    const o = 4 * (b * T * d + hh * dh);
    k.dots(Q + o, K + o, S + 8 * (b * H + hh) * T * T, T, 4 * d, dh / 2, 8 * T, 8);
  }
  // softmax per query row, in place: the scores become the attention weights
  const s0 = S / 8;
  for (let r = 0; r < B * H * T; r++) {
    const ro = s0 + r * T;
    let max = -Infinity;
    for (let u = 0; u < T; u++) {
      const x = F64[ro + u] * scale + (keyMask ? keyMask[u] : 0);
      F64[ro + u] = x;
      if (x > max) max = x;
    }
    let sum = 0;
    for (let u = 0; u < T; u++) {
      F64[ro + u] = Math.exp(F64[ro + u] - max);
      sum += F64[ro + u];
    }
    for (let u = 0; u < T; u++) F64[ro + u] = F64[ro + u] / sum;
  }
  for (let b = 0; b < B; b++) for (let hh = 0; hh < H; hh++) {
    const o = 4 * (b * T * d + hh * dh);
    k.mix(S + 8 * (b * H + hh) * T * T, 8 * T, 8, V + o, 4 * d, M + o, 4 * d, T, T, dh / 2, 0);
  }
  att.set(F64.subarray(s0, s0 + nA));
  out.set(F32.subarray(M / 4, M / 4 + n));
}

/** encode-kernel.ts's attention backward (same arguments, same bits) on the kernels. dh must be a multiple of 4. */
export function attentionBackwardSimd(k: AttentionKernels, dOut: Float32Array, q: Float32Array, kk: Float32Array, v: Float32Array, att: Float64Array, B: number, T: number, d: number, H: number): { dq: Float32Array; dk: Float32Array; dv: Float32Array } {
  const dh = d / H;
  const scale = 1 / Math.sqrt(dh);
  const n = B * T * d;
  const nA = B * H * T * T;
  const { at: [G, Q, K, V, A, DA, DQ, DK, DV], end } = layout([4 * n, 4 * n, 4 * n, 4 * n, 8 * nA, 8 * nA, 4 * n, 4 * n, 4 * n]);
  const { F32, F64 } = views(k, end);
  F32.set(dOut.subarray(0, n), G / 4);
  F32.set(q.subarray(0, n), Q / 4);
  F32.set(kk.subarray(0, n), K / 4);
  F32.set(v.subarray(0, n), V / 4);
  F64.set(att.subarray(0, nA), A / 8);
  F32.fill(0, DQ / 4, DQ / 4 + n);
  F32.fill(0, DK / 4, DK / 4 + n);
  F32.fill(0, DV / 4, DV / 4 + n);
  const TT8 = 8 * T * T;
  for (let b = 0; b < B; b++) for (let hh = 0; hh < H; hh++) {
    const o = 4 * (b * T * d + hh * dh);
    const ao = (b * H + hh) * TT8;
    k.dots(G + o, V + o, DA + ao, T, 4 * d, dh / 2, 8 * T, 8); // dA[t, u] = dOut_t . v_u
    // dv_u += sum_t a[t, u] dOut_t, in order of t
    k.mix(A + ao, 8, 8 * T, G + o, 4 * d, DV + o, 4 * d, T, T, dh / 2, 1);
  }
  // dS[t, u] = a (dA - sum_u' a dA) / sqrt(dh), in place of dA
  const a0 = A / 8;
  const d0 = DA / 8;
  for (let r = 0; r < B * H * T; r++) {
    let rowDot = 0;
    for (let u = 0; u < T; u++) rowDot += F64[d0 + r * T + u] * F64[a0 + r * T + u];
    for (let u = 0; u < T; u++) F64[d0 + r * T + u] = F64[a0 + r * T + u] * (F64[d0 + r * T + u] - rowDot) * scale;
  }
  for (let b = 0; b < B; b++) for (let hh = 0; hh < H; hh++) {
    const o = 4 * (b * T * d + hh * dh);
    const ao = (b * H + hh) * TT8;
    k.mix(DA + ao, 8 * T, 8, K + o, 4 * d, DQ + o, 4 * d, T, T, dh / 2, 1); // dq_t += sum_u dS[t, u] k_u
    k.mix(DA + ao, 8, 8 * T, Q + o, 4 * d, DK + o, 4 * d, T, T, dh / 2, 1); // dk_u += sum_t dS[t, u] q_t
  }
  return { dq: F32.slice(DQ / 4, DQ / 4 + n), dk: F32.slice(DK / 4, DK / 4 + n), dv: F32.slice(DV / 4, DV / 4 + n) };
}
