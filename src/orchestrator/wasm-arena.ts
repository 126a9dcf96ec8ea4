/**
 * The WebAssembly memory that the hand-assembled kernels (gemm-simd.ts, adam-simd.ts) run in.
 *
 * On the wasm backend it is the backend's own heap: a kernel then reads a tensor where it lives
 * (a weight, a gradient) and writes a result straight into a new tensor, so neither is copied.
 * Elsewhere (the cpu backend, tfjs-node-gpu) it is a memory of its own, and tensors' values are
 * copied in and out.
 *
 * Offsets are bytes. Growing a memory keeps offsets but detaches every view of it, so a caller
 * takes offsets (offsetOf) before any allocation and views (f32) after the last one.
 */
import { tf } from './backend';
import { WebAssemblyApi } from './wasm-asm';

/** A WebAssembly memory. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface Arena {
  memory: WasmMemory;
  /** a region of `bytes` bytes of its own, until free(offset) */
  alloc(bytes: number): number;
  free(offset: number): void;
  /** a scratch region of at least `bytes` bytes, reused by the next call (contents undefined) */
  scratch(bytes: number): number;
  /** a new uninitialised float32 tensor in this memory and its offset; null where tensors live elsewhere */
  tensor(shape: number[]): { t: tf.Tensor; at: number } | null;
}

/** The memory's current float32 view. */
export function f32(arena: Arena): Float32Array {
  return new Float32Array(arena.memory.buffer);
}

/** The offset of `x` in the arena's memory, or -1 when x is an array elsewhere. */
export function offsetOf(arena: Arena, x: Float32Array): number {
  if (x.buffer === arena.memory.buffer) return x.byteOffset;
  if (x.buffer.byteLength === 0) throw new Error('wasm arena: a view of the wasm heap taken before the heap grew (take it again after allocating)');
  return -1;
}

/** What the wasm backend exposes of its Emscripten module and tensor storage (tfjs-backend-wasm 4.x). */
interface WasmBackendInternals {
  wasm: { asm: { memory: WasmMemory }; _malloc(bytes: number): number; _free(ptr: number): void };
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

function backendHeap(be: WasmBackendInternals): Arena {
  let scratchAt = 0;
  let scratchSize = 0;
  /** malloc that fails loudly: 0 is its "out of memory", and writing there would corrupt the heap */
  const malloc = (bytes: number) => {
    const at = be.wasm._malloc(bytes) >>> 0;
    if (at === 0) throw new Error(`wasm heap: out of memory allocating ${bytes} bytes`);
    return at;
  };
  return {
    memory: be.wasm.asm.memory,
    alloc: (bytes) => malloc(Math.max(bytes, 16)),
    free: (offset) => be.wasm._free(offset),
    scratch(bytes) {
      if (bytes > scratchSize) {
        const size = Math.max(bytes, 2 * scratchSize);
        if (scratchAt) be.wasm._free(scratchAt);
        [scratchAt, scratchSize] = [0, 0]; // nothing held if the malloc below throws
        scratchAt = malloc(size);
        scratchSize = size;
      }
      return scratchAt;
    },
    tensor(shape) {
      const info = be.makeOutput(shape, 'float32');
      const t = tf.engine().makeTensorFromTensorInfo(info);
      return { t, at: be.dataIdMap.get(info.dataId)!.memoryOffset };
    },
  };
}

/**
 * A memory of its own: regions that alloc hands out sit below `top` (freed regions are reused
 * only when they were the last), the scratch region above it.
 */
function ownMemory(): Arena {
  const memory: WasmMemory = new WebAssemblyApi.Memory({ initial: 16 });
  const regions = new Map<number, number>(); // offset -> bytes, live allocations
  let top = 16; // offset 0 is never handed out
  const ensure = (end: number) => {
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  };
  return {
    memory,
    alloc(bytes) {
      const at = top;
      top += 16 * Math.ceil(Math.max(bytes, 16) / 16);
      ensure(top);
      regions.set(at, bytes);
      return at;
    },
    free(offset) {
      regions.delete(offset);
      top = 16 + Math.max(0, ...[...regions].map(([at, bytes]) => at - 16 + 16 * Math.ceil(Math.max(bytes, 16) / 16)));
    },
    scratch(bytes) {
      ensure(top + bytes);
      return top;
    },
    tensor: () => null,
  };
}

const arenas = new WeakMap<object, Arena>();

/** The arena of the current tfjs backend. */
export function currentArena(): Arena {
  const be = tf.backend() as unknown as WasmBackendInternals;
  let a = arenas.get(be);
  if (!a) {
    a = tf.getBackend() === 'wasm' ? backendHeap(be) : ownMemory();
    arenas.set(be, a);
  }
  return a;
}
