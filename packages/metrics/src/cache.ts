/**
 * An async value computed at most once per `ttlMs`, with single flight: while one computation
 * runs, every caller shares it, and a result younger than `ttlMs` is handed out again without
 * computing. This is what makes /metrics cost the same for 1 scraper or 1,000: one collection
 * per interval. A failure is not cached (the next caller tries again), but it is still shared
 * by everyone who was waiting on it.
 */
export class SingleFlightCache<T> {
  private fresh: { at: number; value: T } | undefined;
  private pending: Promise<T> | undefined;
  /** Computations started so far (for tests and logs). */
  runs = 0;

  constructor(
    private readonly produce: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The cached value, the computation in flight, or a new computation. */
  get(): Promise<T> {
    // The age counts from when the value was ready, so a slow collection is not repeated at once.
    if (this.fresh && this.now() - this.fresh.at < this.ttlMs) return Promise.resolve(this.fresh.value);
    if (!this.pending) {
      this.runs++;
      this.pending = this.produce()
        .then((value) => {
          this.fresh = { at: this.now(), value };
          return value;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }
}
