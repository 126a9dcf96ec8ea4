/**
 * What the hand-assembled WebAssembly kernels share (adam-simd.ts, gemm-simd.ts,
 * transpose-simd.ts, attention-simd.ts): LEB128 integers, the instructions every kernel uses, a
 * counted loop, a module of exported functions over one imported memory `env.mem`, and its
 * compilation. Each kernel's own opcodes stay in its file, beside the loop they make up.
 */

/** Value types (WebAssembly's encoding). */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128 (WebAssembly's integer encoding). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** i32.const x */
export const i32 = (x: number): number[] => [0x41, ...sleb(x)];
/** local.get i */
export const get = (i: number): number[] => [0x20, ...uleb(i)];
/** local.set i */
export const set = (i: number): number[] => [0x21, ...uleb(i)];
/** local.tee i */
export const tee = (i: number): number[] => [0x22, ...uleb(i)];
/** a SIMD instruction (prefix 0xfd) */
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** block { loop { br_if 1 (exitIf); body; br 0 } }: runs body until exitIf leaves a non-zero i32 */
export function loop(exitIf: number[], body: number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...exitIf, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
}

/** An exported function: its signature and its code (local declarations, then the body with its final `end`). */
export interface KernelFunction {
  name: string;
  params: number[];
  results?: number[];
  code: number[];
}

/**
 * A module exporting `funcs`, each with a type of its own, over one imported memory `env.mem`
 * (with `sharedMaxPages`, a shared memory of at most that many pages, as threads need).
 */
export function kernelModule(funcs: KernelFunction[], sharedMaxPages?: number): Uint8Array {
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const types = funcs.flatMap((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb((f.results ?? []).length), ...(f.results ?? [])]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [...uleb(funcs.length), ...types]),
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, ...(sharedMaxPages === undefined ? [0x00, 1] : [0x03, 1, ...uleb(sharedMaxPages)])]),
    ...section(3, [...uleb(funcs.length), ...funcs.map((_, i) => i)]),
    ...section(7, [...uleb(funcs.length), ...funcs.flatMap((f, i) => [...name(f.name), 0x00, i])]),
    ...section(10, [...uleb(funcs.length), ...funcs.flatMap((f) => [...uleb(f.code.length), ...f.code])]),
  ]);
}

/** WebAssembly's API as the kernels use it (this project's lib settings, ES2022 without DOM, have no types for it). */
export const WebAssemblyApi = (globalThis as unknown as {
  WebAssembly: {
    validate(bytes: Uint8Array): boolean;
    Module: new (bytes: Uint8Array) => object;
    Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
    Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBuffer; grow(pages: number): number };
  };
}).WebAssembly;

/** A compiled module from hand-assembled bytes, or null where the engine refuses it (no WebAssembly SIMD). */
export function compileModule(assembleBytes: () => Uint8Array): object | null {
  try {
    const bytes = assembleBytes();
    return WebAssemblyApi.validate(bytes) ? new WebAssemblyApi.Module(bytes) : null;
  } catch {
    return null;
  }
}
