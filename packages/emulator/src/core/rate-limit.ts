/** Outcome of asking a limiter for one request. */
export interface LimitDecision {
  allowed: boolean;
  /** Whole seconds until a request would be allowed again (>= 1 when refused). */
  retryAfterSeconds: number;
}

/**
 * Sliding-window log over a ring buffer of the accepted requests' times: O(1) per request and
 * exact, which matters because clients are tested against the 20,000 / 5 min budget edge.
 */
export class SlidingWindowLimiter {
  private ring: Float64Array;
  private head = 0;
  private count = 0;

  constructor(
    private limit: number,
    private windowMs: number,
  ) {
    this.ring = new Float64Array(limit);
  }

  /** Change the budget; forgets history, like a redeploy of the real limiter would. */
  reconfigure(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
    this.ring = new Float64Array(limit);
    this.head = 0;
    this.count = 0;
  }

  /** Count one request at `now` (ms) if the budget allows it. */
  take(now: number): LimitDecision {
    if (this.count < this.limit) {
      this.ring[(this.head + this.count) % this.limit] = now;
      this.count++;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    const oldest = this.ring[this.head] ?? now;
    if (oldest <= now - this.windowMs) {
      this.ring[this.head] = now;
      this.head = (this.head + 1) % this.limit;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)),
    };
  }
}

/** Headers-friendly view of a fixed window. */
export interface WindowState extends LimitDecision {
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets. */
  resetSeconds: number;
}

/**
 * Fixed windows per key (the gateway counts per model), matching its X-RateLimit-Reset header.
 * The window length is in real ms, so a caller can compress production's 60 s in time.
 */
export class KeyedFixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private limit: number,
    private windowMs: number,
  ) {}

  /** Change the per-window limit and length; counts in the current windows are kept. */
  reconfigure(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Count one request for `key` at `now` (ms) if its window has room. */
  take(key: string, now: number): WindowState {
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
    if (window.count >= this.limit) {
      return {
        allowed: false,
        retryAfterSeconds: resetSeconds,
        limit: this.limit,
        remaining: 0,
        resetSeconds,
      };
    }
    window.count++;
    return {
      allowed: true,
      retryAfterSeconds: 0,
      limit: this.limit,
      remaining: this.limit - window.count,
      resetSeconds,
    };
  }
}
