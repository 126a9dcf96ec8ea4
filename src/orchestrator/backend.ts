/**
 * The one place that picks the tfjs backend. All tfjs code imports `tf` from here and awaits
 * `ensureBackend()` before its first op.
 *
 * Order: tfjs-node-gpu (CUDA, only when the optional package is installed and loads), then the
 * WebAssembly backend (~60x the pure-JS `cpu` backend on a 2-core machine), then `cpu`.
 *
 * The wasm backend under Node (measured, docs/performance.md): SIMD is detected and used (its
 * matMul is ~2.9x the non-SIMD build's); threads are not: tfjs turns WASM_HAS_MULTITHREAD_SUPPORT
 * off under Node (tfjs#3830), and forcing it on fails at start-up (the pthread workers are given a
 * `blob:` URL, which Node's Worker refuses), so `setThreadsCount` has nothing to act on.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type BackendChoice = 'tensorflow' | 'wasm' | 'cpu';

/** The backend in use: the last successful choice, or null before one (never rejects). */
let chosen: Promise<BackendChoice | null> = Promise.resolve(null);

function tryRequire(name: string): boolean {
  try {
    require(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The cpu backend prints, on its first tensor under Node, a banner recommending
 * @tensorflow/tfjs-node, which the project leaves out on purpose (docs/decisions.md); the selector
 * has already said which backend runs. Marking that backend as used silences the banner only
 * (tf.enableProdMode would silence every tfjs warning).
 */
function silenceNodeBackendBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: unknown } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

async function pick(preferred: BackendChoice | undefined, log: (msg: string) => void): Promise<BackendChoice> {
  const order: BackendChoice[] = preferred ? [preferred] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'tensorflow' && !tryRequire('@tensorflow/tfjs-node-gpu')) continue;
    if (name === 'wasm' && !tryRequire('@tensorflow/tfjs-backend-wasm')) continue;
    try {
      if (await tf.setBackend(name)) {
        if (name === 'cpu') silenceNodeBackendBanner();
        await tf.ready();
        log(`tfjs backend: ${name}`);
        return name;
      }
    } catch {
      /* fall through to the next backend */
    }
  }
  if (preferred) throw new Error(`tfjs backend '${preferred}' is not available here`);
  throw new Error('no tfjs backend could be initialised');
}

/**
 * Selects (once per process) and returns the backend. `INFORM_TF_BACKEND=wasm|cpu|tensorflow`
 * or `preferred` forces one; asking for a different one later switches backends. A request that
 * fails (e.g. 'tensorflow' without tfjs-node-gpu) rejects for its caller only: the backend in use
 * stays, and later calls see it.
 */
export function ensureBackend(
  preferred: BackendChoice | undefined = (process.env.INFORM_TF_BACKEND as BackendChoice | undefined) || undefined,
  log: (msg: string) => void = (m) => console.error(m),
): Promise<BackendChoice> {
  const previous = chosen;
  const next = previous.then((cur) => (cur && (!preferred || cur === preferred) ? cur : pick(preferred, log)));
  chosen = next.then(
    (c) => c,
    () => previous,
  );
  return next;
}

/** Threads the wasm backend computes with (1 under Node; see above), or 0 when wasm is not loaded. */
export function wasmThreads(): number {
  if (tf.getBackend() !== 'wasm') return 0;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number };
    return wasm.getThreadsCount();
  } catch {
    return 0;
  }
}

/**
 * The float32 values of `t` without copying them where the backend allows it: a view of the wasm
 * heap, or the cpu backend's own array; elsewhere (tfjs-node-gpu) a copy (`dataSync`). Read-only,
 * and valid only until the next tfjs operation (a wasm allocation may move the heap).
 */
export function hostView(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`hostView: expected a float32 tensor, got ${t.dtype}`);
  const backend = tf.backend() as unknown as {
    typedArrayFromHeap?: (t: { shape: number[]; dtype: string; dataId: object }) => Float32Array;
    data?: { get(dataId: object): { values?: unknown } | undefined };
  };
  const name = tf.getBackend();
  if (name === 'wasm' && backend.typedArrayFromHeap) return backend.typedArrayFromHeap(t);
  if (name === 'cpu') {
    const values = backend.data?.get(t.dataId)?.values;
    if (values instanceof Float32Array && values.length === t.size) return values;
  }
  return t.dataSync() as Float32Array;
}
