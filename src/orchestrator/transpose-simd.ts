/**
 * Matrix transpose as a WebAssembly SIMD loop over 4x4 blocks (four row loads, eight lane
 * shuffles, four column stores), assembled here like adam-simd.ts (no toolchain, no binary blob).
 *
 * Why: host-matmul.ts's input gradients are computed transposed (sum_i W_i dY_i^T, so that the
 * weights are read as stored), which transposes dY_i and the result, [22, 256]-[22, 768] at the
 * paper's size, several per step. As a JavaScript loop a transpose costs 4-6 ns per element
 * (bounds-checked strided stores); this loop does it at a fraction of that.
 *
 *   transpose(src, dst, rows, cols, rows4, cols4)   (pointers: byte offsets)
 *     dst[c * rows + r] = src[r * cols + c] for r < rows4, c < cols4 (multiples of 4);
 *     the caller does the edge strips.
 */
import { compileModule, get, I32, i32, kernelModule, set, tee, V128, WebAssemblyApi } from './wasm-asm';

/* WebAssembly's types are not in this project's lib settings (ES2022 without DOM). */
declare const WebAssembly: {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
};

function assemble(): Uint8Array {
  const load = [0xfd, 0x00, 0, 0]; // v128.load align=1 offset=0 (addresses need not be aligned)
  const store = [0xfd, 0x0b, 0, 0];
  const add = 0x6a;
  const mul = 0x6c;
  /** i8x16.shuffle picking float lanes (0-3 from the first operand, 4-7 from the second) */
  const shuffle = (lanes: number[]) => [0xfd, 0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];
  // params: 0 src, 1 dst, 2 rows, 3 cols, 4 rows4, 5 cols4; locals (i32): 6 r, 7 c, 8 s, 9 d,
  // 10 rs (row stride of dst, bytes), 11 cs (of src), 12 r0, 13 rEnd; v128: 14-17 x, 18-21 t.
  // Bands of 16 rows: the four blocks of a band fill whole 64-byte lines of each column of dst
  // before the next column (row-blocks-outermost order thrashed the cache on [768, 256]).
  const [R, C, S, Dp, RS, CS, R0, REND] = [6, 7, 8, 9, 10, 11, 12, 13];
  const X = [14, 15, 16, 17];
  const T = [18, 19, 20, 21];
  const block = [
    // s = src + (r * cols + c) * 4; d = dst + (c * rows + r) * 4
    ...get(0), ...get(R), ...get(3), mul, ...get(C), add, ...i32(4), mul, add, ...set(S),
    ...get(1), ...get(C), ...get(2), mul, ...get(R), add, ...i32(4), mul, add, ...set(Dp),
    ...get(S), ...load, ...set(X[0]),
    ...get(S), ...get(CS), add, ...tee(S), ...load, ...set(X[1]),
    ...get(S), ...get(CS), add, ...tee(S), ...load, ...set(X[2]),
    ...get(S), ...get(CS), add, ...load, ...set(X[3]),
    ...get(X[0]), ...get(X[1]), ...shuffle([0, 4, 1, 5]), ...set(T[0]), // a0 b0 a1 b1
    ...get(X[0]), ...get(X[1]), ...shuffle([2, 6, 3, 7]), ...set(T[1]), // a2 b2 a3 b3
    ...get(X[2]), ...get(X[3]), ...shuffle([0, 4, 1, 5]), ...set(T[2]), // c0 d0 c1 d1
    ...get(X[2]), ...get(X[3]), ...shuffle([2, 6, 3, 7]), ...set(T[3]), // c2 d2 c3 d3
    ...get(Dp), ...get(T[0]), ...get(T[2]), ...shuffle([0, 1, 4, 5]), ...store, // column c
    ...get(Dp), ...get(RS), add, ...tee(Dp), ...get(T[0]), ...get(T[2]), ...shuffle([2, 3, 6, 7]), ...store,
    ...get(Dp), ...get(RS), add, ...tee(Dp), ...get(T[1]), ...get(T[3]), ...shuffle([0, 1, 4, 5]), ...store,
    ...get(Dp), ...get(RS), add, ...get(T[1]), ...get(T[3]), ...shuffle([2, 3, 6, 7]), ...store,
  ];
  const body = [
    ...get(2), ...i32(4), mul, ...set(RS),
    ...get(3), ...i32(4), mul, ...set(CS),
    ...i32(0), ...set(R0),
    0x02, 0x40, 0x03, 0x40, // block, loop over bands r0
    ...get(R0), ...get(4), 0x4e, 0x0d, 1, // br_if (r0 >= rows4) out
    ...get(R0), ...i32(16), add, ...get(4), ...get(R0), ...i32(16), add, ...get(4), 0x48, 0x1b, ...set(REND), // rEnd = min(r0 + 16, rows4)
    ...i32(0), ...set(C),
    0x02, 0x40, 0x03, 0x40, // block, loop over c
    ...get(C), ...get(5), 0x4e, 0x0d, 1, // br_if (c >= cols4) out
    ...get(R0), ...set(R),
    0x02, 0x40, 0x03, 0x40, // block, loop over r in the band
    ...get(R), ...get(REND), 0x4e, 0x0d, 1,
    ...block,
    ...get(R), ...i32(4), add, ...set(R),
    0x0c, 0, 0x0b, 0x0b,
    ...get(C), ...i32(4), add, ...set(C),
    0x0c, 0, 0x0b, 0x0b,
    ...get(R0), ...i32(16), add, ...set(R0),
    0x0c, 0, 0x0b, 0x0b,
    0x0b, // end function
  ];
  const func = [2, 8, I32, 8, V128, ...body];
  return kernelModule([{ name: 'transpose', params: new Array<number>(6).fill(I32), code: func }]);
}

interface Kernel {
  mem: { buffer: ArrayBuffer; grow(pages: number): number };
  F: Float32Array;
  run: (src: number, dst: number, rows: number, cols: number, rows4: number, cols4: number) => void;
}

let kernel: Kernel | null | undefined;

function getKernel(): Kernel | null {
  if (kernel === undefined) {
    const mod = compileModule(assemble);
    if (!mod) {
      kernel = null;
    } else {
      const mem = new WebAssemblyApi.Memory({ initial: 16 });
      const inst = new WebAssemblyApi.Instance(mod, { env: { mem } });
      kernel = { mem, F: new Float32Array(mem.buffer), run: inst.exports.transpose as Kernel['run'] };
    }
  }
  return kernel;
}

/** Below this many elements the JavaScript loop wins (the copies in and out dominate). */
const MIN_SIMD = 2048;

/**
 * a [rows, cols] transposed, [cols, rows], as a view of the kernel's memory: valid until the next
 * call (copy it, or hand it to something that copies, such as the wasm backend's tf.tensor).
 * Allocating the result instead cost more than the transpose itself ([768, 256]: ~0.25 ms to
 * allocate and zero a new array, ~0.07 ms for the SIMD loop).
 */
export function transposeView(a: Float32Array, rows: number, cols: number): Float32Array {
  const n = rows * cols;
  checkSize(a, rows, cols);
  const k = n >= MIN_SIMD ? getKernel() : null;
  if (!k) return transposeJs(a, rows, cols);
  if (k.F.length < 2 * n) {
    k.mem.grow(Math.ceil((8 * n - k.mem.buffer.byteLength) / 65536) + 1);
    k.F = new Float32Array(k.mem.buffer);
  }
  const F = k.F;
  F.set(a.subarray(0, n), 0);
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  k.run(0, 4 * n, rows, cols, rows4, cols4);
  const out = F.subarray(n, 2 * n);
  // Edge strips: the last rows % 4 rows (all columns), the last cols % 4 columns of the others.
  for (let r = rows4; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  for (let r = 0; r < rows4; r++) for (let c = cols4; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** a [rows, cols] -> a new array [cols, rows]. */
export function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  return rows * cols >= MIN_SIMD && getKernel() ? transposeView(a, rows, cols).slice() : transposeJs(a, rows, cols);
}

/** The scalar loop (small matrices, and where WebAssembly SIMD is unavailable). */
export function transposeJs(a: Float32Array, rows: number, cols: number): Float32Array {
  checkSize(a, rows, cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

function checkSize(a: Float32Array, rows: number, cols: number): void {
  if (a.length < rows * cols) throw new Error(`transpose: ${a.length} values for a [${rows}, ${cols}] matrix`);
}

/** Whether transposes run as WebAssembly SIMD here. */
export function transposeUsesSimd(): boolean {
  return getKernel() !== null;
}
