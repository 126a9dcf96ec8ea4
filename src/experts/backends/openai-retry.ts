/**
 * Retry policy for OpenAI-compatible requests: which failures are worth retrying, how long to
 * wait (exponential backoff with full jitter, or the server's Retry-After), and an abortable sleep.
 */

/** HTTP statuses that signal a transient condition: rate limit, timeout, server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Parses a Retry-After header (delta-seconds or an HTTP date) into milliseconds from `now`;
 * undefined when absent or unparseable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header == null) return undefined;
  const trimmed = header.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffPolicy {
  /** first backoff ceiling in ms; doubles each attempt */
  baseMs: number;
  /** cap on any single wait, including a server's Retry-After */
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (0 for the first retry). A server's Retry-After wins (capped
 * at maxMs); otherwise "full jitter": uniform in [0, min(maxMs, baseMs * 2^attempt)], which keeps
 * many clients from retrying in lockstep.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, retryAfterMs: number | undefined, uniform: number): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxMs, retryAfterMs);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.floor(uniform * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error an aborted signal carries, or a generic AbortError. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('request aborted', 'AbortError');
}
