/**
 * Large matrix products split by rows over worker threads, each running gemm-simd.ts's kernel.
 *
 * Why: a probe pass encodes and routes whole splits at once ([2660, 768] x [768, 256] and the
 * like), and those products were ~40% of its time on one core (docs/performance.md). The rows of
 * C are independent and each C[m, n] is still summed in the same order by the same kernel, so the
 * result has the same bits however many threads share it (test/orchestrator/gemm-threads.test.ts).
 * A training step's products at the paper's size (batch 2: ~20 rows, under 10 M multiply-adds)
 * stay on the calling thread: below `MIN_MULTIPLY_ADDS` waking a thread costs more than it saves.
 *
 * The threads share one WebAssembly memory of their own (the wasm backend's heap is not shared
 * under Node, backend.ts): operands are copied into it, and the result out of it. A job is a list
 * of kernel calls in that memory; the caller runs its own share, then waits on each worker's
 * control word (Atomics), so `product` stays synchronous.
 *
 * Threads: `INFORM_GEMM_THREADS` (1 turns this off), else the machine's cores, at most 8;
 * `setGemmThreads(n)` changes it in a running process (the benches compare 1 with the default).
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { compileSharedGemm, rowsPerCall, unpadRows, type ProductTerm } from './gemm-simd';
import type { WasmMemory } from './wasm-arena';
import { WebAssemblyApi } from './wasm-asm';

/** Products below this many multiply-adds run on the calling thread. */
export const MIN_MULTIPLY_ADDS = 16e6;
/** The shared memory's size limit (pages of 64 KiB): 1 GiB; a larger product runs on one thread. */
const MAX_PAGES = 16384;
/** Bytes per worker control word at the start of the memory (its own cache line), then the job block. */
const CTL_BYTES = 64;
/** The job block: next unit (the shared counter), units, offset of the first record, calls per unit. */
const JOB_INTS = 4;
/** A kernel call's 11 arguments (gemm-simd.ts), as one record of a job. */
const RECORD = 11;
/** How long the caller waits for a worker before it gives up (a dead worker never answers). */
const WAIT_MS = 120_000;

// A worker: waits for its control word to become 1, then takes units of the job (blocks of rows,
// each a list of kernel calls) from a counter it shares with the other threads until none is left,
// sets the word back to 0 (or to -1 on an error) and wakes the caller.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, job } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { mem: memory } }).exports.gemm;
const state = new Int32Array(memory.buffer, ctl, 1);
for (;;) {
  let s;
  while ((s = Atomics.load(state, 0)) !== 1 && s !== 2) Atomics.wait(state, 0, s);
  if (s === 2) break;
  try {
    const I = new Int32Array(memory.buffer);
    const [units, first, calls] = [I[job / 4 + 1], I[job / 4 + 2] / 4, I[job / 4 + 3]];
    for (let u; (u = Atomics.add(I, job / 4, 1)) < units; ) {
      for (let r = 0, at = first + u * calls * ${RECORD}; r < calls; r++, at += ${RECORD}) {
        gemm(I[at], I[at + 1], I[at + 2], I[at + 3], I[at + 4], I[at + 5], I[at + 6], I[at + 7], I[at + 8], I[at + 9], I[at + 10]);
      }
    }
    Atomics.store(state, 0, 0);
  } catch (e) {
    Atomics.store(state, 0, -1);
  }
  Atomics.notify(state, 0);
}`;

interface Pool {
  memory: WasmMemory;
  gemm: (...args: number[]) => void;
  workers: Worker[];
  /** products run through the pool so far (tests read it) */
  products: number;
}

let requested: number | null = null;
let pool: Pool | null | undefined;

/** The thread count an `INFORM_GEMM_THREADS` value sets on a machine with `cores` cores (unset: the cores, at most 8). */
export function threadsFromEnv(value: string | undefined, cores: number): number {
  if (value === undefined || value.trim() === '') return Math.max(1, Math.min(8, cores));
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1 && n <= 64)) throw new Error(`INFORM_GEMM_THREADS must be an integer from 1 to 64, got '${value}'`);
  return n;
}

/** Threads large products use: setGemmThreads, else INFORM_GEMM_THREADS, else the cores (at most 8). */
export function gemmThreads(): number {
  return requested ?? threadsFromEnv(process.env.INFORM_GEMM_THREADS, os.availableParallelism());
}

/**
 * Sets the threads of later large products (1: the calling thread only). A pool of another size
 * is stopped; with 1 a started pool stays idle, so switching back costs no new workers.
 */
export function setGemmThreads(n: number): void {
  if (!(Number.isInteger(n) && n >= 1 && n <= 64)) throw new Error(`setGemmThreads: expected an integer from 1 to 64, got ${n}`);
  requested = n;
  if (n > 1 && pool !== undefined && (pool === null || pool.workers.length + 1 !== n)) stopPool();
}

/** How many products have run on more than one thread in this process. */
export function threadedProducts(): number {
  return pool ? pool.products : 0;
}

function stopPool(): void {
  if (pool) {
    const state = new Int32Array(pool.memory.buffer);
    pool.workers.forEach((w, i) => {
      Atomics.store(state, (i * CTL_BYTES) / 4, 2);
      Atomics.notify(state, (i * CTL_BYTES) / 4);
      void w.terminate();
    });
  }
  pool = undefined;
}

/** The pool for the current thread count, started on first use; null when 1 thread or no SIMD. */
function currentPool(): Pool | null {
  if (pool !== undefined) return pool;
  const threads = gemmThreads();
  const module = threads > 1 ? compileSharedGemm(MAX_PAGES) : null;
  if (!module) return (pool = null);
  const memory = new WebAssemblyApi.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
  const gemm = new WebAssemblyApi.Instance(module, { env: { mem: memory } }).exports.gemm as (...args: number[]) => void;
  const workers = Array.from({ length: threads - 1 }, (_, i) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctl: i * CTL_BYTES, job: jobBlock(threads) } });
    w.unref(); // an idle pool never keeps the process alive
    return w;
  });
  return (pool = { memory, gemm, workers, products: 0 });
}

/** Where the job block sits: after the workers' control words. */
function jobBlock(threads: number): number {
  return CTL_BYTES * (threads - 1);
}

/** Whether a product of this size goes to the pool. */
export function usesThreads(M: number, K: number, N: number, terms: number): boolean {
  return M * K * N * terms >= MIN_MULTIPLY_ADDS && M >= 8 /* two blocks of 4 rows at least */ && gemmThreads() > 1 && currentPool() !== null;
}

/**
 * sum_t a_t b_t, [M, N], as host-matmul.ts's `product` computes it (same bits), with the rows
 * shared out over the pool's threads. Returns null when the operands would not fit the memory
 * (the caller then runs it on its own thread). `consume` gets C where the kernel wrote it (float
 * offset `at` of the pool's memory F, rows of ldc floats; valid until the next product) and its
 * result is returned: by default a copy of C.
 */
export function threadedProduct<T = Float32Array>(
  terms: readonly ProductTerm[],
  M: number,
  K: number,
  N: number,
  consume: (F: Float32Array, at: number, ldc: number) => T = (F, at, ldc) => unpadRows(F, at, M, N, ldc) as T,
): T | null {
  const p = currentPool();
  if (!p) return null;
  const N8 = Math.ceil(N / 8) * 8;
  // units: the rows of one kernel call on one thread (rowsPerCall), taken by whichever thread is
  // free next, so a thread slowed by other work takes fewer
  const chunk = rowsPerCall(K);
  const units = Math.ceil(M / chunk);
  const calls = terms.length;
  // layout: control words and the job block, then per term a [M K] and b [K, N8] (zero-padded),
  // C [M, N8], and the units' kernel calls
  const align = (n: number) => 16 * Math.ceil(n / 16);
  const job = jobBlock(p.workers.length + 1);
  let at = align(job + 4 * JOB_INTS);
  const placed = terms.map((t) => {
    const a = at;
    at += align(4 * M * K);
    const b = at;
    at += align(4 * K * N8);
    return { t, a, b };
  });
  const C = at;
  at += align(4 * M * N8);
  const records = at;
  at += 4 * RECORD * calls * units;
  if (at > MAX_PAGES * 65536) return null;
  if (at > p.memory.buffer.byteLength) p.memory.grow(Math.ceil((at - p.memory.buffer.byteLength) / 65536));
  const F = new Float32Array(p.memory.buffer);
  const I = new Int32Array(p.memory.buffer);
  for (const { t, a, b } of placed) {
    F.set(t.a.subarray(0, M * K), a / 4);
    if (N8 === N) F.set(t.b.subarray(0, K * N), b / 4);
    else for (let k = 0; k < K; k++) F.set(t.b.subarray(k * N, (k + 1) * N), b / 4 + k * N8);
  }
  // a unit's calls: its rows, term by term (the later terms adding to C), so each C[m, n] is summed as on one thread
  for (let u = 0; u < units; u++) {
    const m0 = u * chunk;
    placed.forEach(({ t, a, b }, i) => {
      const [sAr, sAk] = t.aStored === 'MK' ? [4 * K, 4] : [4, 4 * M];
      I.set([a + m0 * sAr, sAr, sAk, b, 4 * N8, C + m0 * 4 * N8, 4 * N8, Math.min(chunk, M - m0), N8, K, i > 0 ? 1 : 0], records / 4 + (u * calls + i) * RECORD);
    });
  }
  I.set([0, units, records, calls], job / 4);
  p.workers.forEach((_, w) => {
    Atomics.store(I, (w * CTL_BYTES) / 4, 1);
    Atomics.notify(I, (w * CTL_BYTES) / 4);
  });
  // this thread takes units too, then waits for each worker to finish the unit it holds
  for (let u; (u = Atomics.add(I, job / 4, 1)) < units; ) {
    for (let r = 0, x = records / 4 + u * calls * RECORD; r < calls; r++, x += RECORD) {
      p.gemm(I[x], I[x + 1], I[x + 2], I[x + 3], I[x + 4], I[x + 5], I[x + 6], I[x + 7], I[x + 8], I[x + 9], I[x + 10]);
    }
  }
  for (let w = 0; w < p.workers.length; w++) {
    const ctl = (w * CTL_BYTES) / 4;
    const t0 = Date.now();
    let s: number;
    while ((s = Atomics.load(I, ctl)) === 1) {
      if (Atomics.wait(I, ctl, 1, WAIT_MS) === 'timed-out' && Date.now() - t0 >= WAIT_MS) {
        stopPool();
        throw new Error(`gemm threads: worker ${w + 1} did not finish a [${M}, ${K}] x [${K}, ${N}] product in ${WAIT_MS / 1000} s (set INFORM_GEMM_THREADS=1 to run products on one thread)`);
      }
    }
    if (s === -1) {
      stopPool();
      throw new Error(`gemm threads: worker ${w + 1} failed on a [${M}, ${K}] x [${K}, ${N}] product (set INFORM_GEMM_THREADS=1 to run products on one thread)`);
    }
  }
  p.products++;
  return consume(F, C / 4, N8);
}
