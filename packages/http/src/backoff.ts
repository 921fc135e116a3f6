import { toError } from '@mediatag/errors';

/** Retry budget of one request: attempts and wall-clock time both bound it. */
export interface RetryOptions {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  /** Cap of the exponential backoff; a longer server-sent Retry-After still wins. */
  maxDelayMs: number;
  /** No retry starts after this much time since the first attempt began. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxTotalMs: 120_000,
};

/**
 * Full-jitter exponential backoff: a uniform wait in [0, min(max, base * 2^(attempt-1))).
 * Full jitter spreads many workers that failed together instead of retrying them in lockstep.
 */
export function backoffDelayMs(
  attempt: number,
  retry: RetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Waits `ms`, rejecting early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(toError(signal.reason));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(toError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An idle timer that aborts a request when nothing happens for `ms`: armed when the request
 * starts, refreshed on every upload chunk and response chunk. It mirrors undici's own
 * headersTimeout/bodyTimeout so the limit also holds for dispatchers that lack them (MockAgent).
 */
export class IdleDeadline {
  readonly signal: AbortSignal;
  expired = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly ms: number) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error(`no progress for ${ms} ms`));
    }, ms);
  }

  /** Restarts the countdown. */
  refresh(): void {
    if (!this.expired) this.timer.refresh();
  }

  /** Stops the countdown for good. */
  clear(): void {
    clearTimeout(this.timer);
  }
}
