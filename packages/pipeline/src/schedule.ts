/**
 * When to check a transcript next. Processing times spread widely (a 5-minute call and a
 * 2-hour episode), so no single "typical" delay fits: checks are placed at quantiles of the
 * completion times seen recently (30th, 55th, 75th, 90th, 97th percentile), so each check
 * finds a fixed share of transcripts finished whatever the spread — about 2-3 GETs per
 * transcript. The
 * time a finished transcript waits to be noticed is covered by the slot reserve (SlotReserve),
 * not by checking more often. Past the last quantile, or before anything was learnt, checks
 * back off geometrically. Never a fixed 3-second loop, which would burn the account's request
 * budget (20,000 per 5 minutes for all of its clients).
 */
export class PollSchedule {
  private readonly window: number[] = [];
  /** Recent detection delays (ms from the estimated finish to the check that found it). */
  private readonly delays: number[] = [];
  private sorted: number[] = [];
  private dirty = false;

  constructor(
    private readonly bounds: { minMs: number; maxMs: number },
    private readonly options: { growth?: number; windowSize?: number; quantiles?: readonly number[] } = {},
  ) {}

  static readonly QUANTILES = [0.3, 0.55, 0.75, 0.9, 0.97];

  /** Delay before the first check. */
  first(): number {
    return this.next(0);
  }

  /** Delay before the next check, given the time since submission. */
  next(elapsedMs: number): number {
    const points = this.points();
    // The next quantile far enough ahead to be worth a request.
    const target = points.find((p) => p > elapsedMs + this.bounds.minMs / 2);
    const geometric = Math.max(elapsedMs * (this.options.growth ?? 0.5), this.bounds.minMs);
    return this.clamp(target === undefined ? geometric : target - elapsedMs);
  }

  /**
   * Learns from a transcript found finished at `elapsedMs` on check number `check` (1 =
   * first), given when the previous check was. It finished somewhere in between, so the
   * middle of that interval is recorded: learning from the moment of detection would let
   * each detection delay push the schedule later.
   */
  observe(elapsedMs: number, previousCheckMs: number): void {
    const finishedAt = (Math.max(0, previousCheckMs) + elapsedMs) / 2;
    this.window.push(finishedAt);
    this.delays.push(elapsedMs - finishedAt);
    if (this.window.length > (this.options.windowSize ?? 500)) {
      this.window.shift();
      this.delays.shift();
    }
    this.dirty = true;
  }

  /** What has been learnt: completions seen, their mean time and mean detection delay (ms). */
  learnt(): { count: number; meanCompletionMs: number; meanDelayMs: number } {
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    return { count: this.window.length, meanCompletionMs: mean(this.window), meanDelayMs: mean(this.delays) };
  }

  private points(): number[] {
    if (this.window.length < 20) return [];
    if (this.dirty) {
      this.sorted = [...this.window].sort((a, b) => a - b);
      this.dirty = false;
    }
    const n = this.sorted.length;
    return (this.options.quantiles ?? PollSchedule.QUANTILES).map(
      (q) => this.sorted[Math.min(n - 1, Math.floor(q * n))] as number,
    );
  }

  private clamp(ms: number): number {
    return Math.round(Math.min(this.bounds.maxMs, Math.max(this.bounds.minMs, ms)));
  }
}

/**
 * How many submissions may wait in AssemblyAI's own queue beyond MAX_IN_FLIGHT (the account's
 * concurrency). AssemblyAI queues the excess FIFO without refusing it (marked `throttled`), so
 * a small reserve there starts the moment a slot frees, while mediatag is still noticing the
 * transcript that freed it. Sized from what is measured: the slots that free up during one
 * mean detection delay (delay × completion rate = slots × delay / completion time), × 2.5
 * for the spread of both (completions come in waves: files submitted together finish
 * together), at most half the slots (short files noticed late need that many: 200 slots of
 * 15-second files checked 4 s late free ~55 slots a detection delay); a quarter of the slots
 * before anything is learnt (the first checks back off geometrically, so the first
 * completions are noticed late). It shrinks when more transcripts are seen throttled than the
 * reserve explains (the account has fewer slots than MAX_IN_FLIGHT says).
 */
export class SlotReserve {
  private readonly throttled = new Map<number, number>();

  constructor(
    private readonly maxInFlight: number,
    private readonly setting: 'auto' | number,
    private readonly schedule: PollSchedule,
    private readonly windowMs?: number,
  ) {}

  /** How long a throttled sighting counts: two mean completion times once learnt, else 30 s. */
  private window(): number {
    if (this.windowMs !== undefined) return this.windowMs;
    const learnt = this.schedule.learnt();
    return learnt.count >= 20 ? Math.max(1000, 2 * learnt.meanCompletionMs) : 30_000;
  }

  /** Records what a check saw of a transcript: still waiting for a slot at AssemblyAI, or not. */
  saw(fileId: number, throttled: boolean, now = Date.now()): void {
    if (throttled) this.throttled.set(fileId, now);
    else this.throttled.delete(fileId);
  }

  /** Transcripts seen waiting for a slot within the last window. */
  throttledNow(now = Date.now()): number {
    const window = this.window();
    for (const [id, at] of this.throttled) if (now - at > window) this.throttled.delete(id);
    return this.throttled.size;
  }

  /** The reserve now (extra submissions beyond MAX_IN_FLIGHT). */
  size(now = Date.now()): number {
    if (this.setting !== 'auto') return this.setting;
    const bound = Math.ceil(this.maxInFlight / 2);
    const learnt = this.schedule.learnt();
    // Before anything is learnt: a quarter of the slots.
    const wanted =
      learnt.count < 20 || learnt.meanCompletionMs <= 0
        ? Math.ceil(this.maxInFlight / 4)
        : Math.ceil((2.5 * this.maxInFlight * learnt.meanDelayMs) / learnt.meanCompletionMs);
    const sized = Math.min(bound, wanted);
    const excess = Math.max(0, this.throttledNow(now) - sized);
    return Math.max(0, sized - excess);
  }

  /** Submissions allowed in flight now: the account's concurrency plus the reserve. */
  limit(now = Date.now()): number {
    return this.maxInFlight + this.size(now);
  }
}
