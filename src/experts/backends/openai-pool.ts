/**
 * Bounded concurrency across one or more endpoints serving the same model (scale-out over GPU
 * hosts): a counting semaphore per endpoint, and a pool that sends each request to the endpoint
 * with the least work (running + queued), breaking ties round-robin.
 */
import { abortReason } from './openai-retry';

/** A counting semaphore whose waiters can give up through an AbortSignal. */
export class Semaphore {
  private active = 0;
  private readonly waiters: { grant: () => void }[] = [];

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`concurrency must be a positive integer, got ${limit}`);
  }

  /** Requests running now plus requests waiting for a slot. */
  get load(): number {
    return this.active + this.waiters.length;
  }

  get running(): number {
    return this.active;
  }

  /** Waits for a slot; returns the function that frees it (call exactly once). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const release = once(() => {
      this.active--;
      const next = this.waiters.shift();
      if (next) next.grant();
    });
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve(release);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }
}

/**
 * Endpoints for one model, each with its own concurrency limit. An endpoint that just failed
 * (unreachable, timing out, 5xx) is benched for a cool-down so retries go to healthy ones; when
 * every endpoint is benched, the least-loaded one is tried anyway.
 */
export class EndpointPool {
  private readonly slots: Semaphore[];
  private readonly benchedUntil: number[];
  private cursor = 0;

  constructor(readonly endpoints: readonly string[], concurrencyPerEndpoint: number) {
    if (endpoints.length === 0) throw new Error('at least one endpoint is required');
    this.slots = endpoints.map(() => new Semaphore(concurrencyPerEndpoint));
    this.benchedUntil = endpoints.map(() => 0);
  }

  /** Keeps `endpoint` out of the rotation for `ms` (while a healthy one exists). */
  bench(endpoint: string, ms: number): void {
    const i = this.endpoints.indexOf(endpoint);
    if (i >= 0) this.benchedUntil[i] = Date.now() + ms;
  }

  /** Returns `endpoint` to the rotation (after a success). */
  unbench(endpoint: string): void {
    const i = this.endpoints.indexOf(endpoint);
    if (i >= 0) this.benchedUntil[i] = 0;
  }

  /**
   * Picks the least-loaded healthy endpoint (ties: the next in round-robin order, so equal
   * endpoints take turns) and waits for a slot there.
   */
  async acquire(signal?: AbortSignal): Promise<{ endpoint: string; release: () => void }> {
    const n = this.endpoints.length;
    const now = Date.now();
    const healthy = this.benchedUntil.some((t) => t <= now);
    let best = -1;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      if (healthy && this.benchedUntil[i] > now) continue;
      if (best < 0 || this.slots[i].load < this.slots[best].load) best = i;
    }
    this.cursor = (best + 1) % n;
    const release = await this.slots[best].acquire(signal);
    return { endpoint: this.endpoints[best], release };
  }

  /** Requests running now on each endpoint (for diagnostics and tests). */
  running(): number[] {
    return this.slots.map((s) => s.running);
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
