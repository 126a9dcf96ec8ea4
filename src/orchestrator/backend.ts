/**
 * The one place that picks the tfjs backend. All tfjs code imports `tf` from here and awaits
 * `ensureBackend()` before its first op.
 *
 * Order: tfjs-node-gpu (CUDA, only when the optional package is installed and loads), then the
 * WebAssembly backend (~60x the pure-JS `cpu` backend on a 2-core machine), then `cpu`.
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

async function pick(preferred: BackendChoice | undefined, log: (msg: string) => void): Promise<BackendChoice> {
  const order: BackendChoice[] = preferred ? [preferred] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    if (name === 'tensorflow' && !tryRequire('@tensorflow/tfjs-node-gpu')) continue;
    if (name === 'wasm' && !tryRequire('@tensorflow/tfjs-backend-wasm')) continue;
    try {
      if (await tf.setBackend(name)) {
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
