/**
 * When to check a transcript next. Processing times spread widely (a 5-minute call and a
 * 2-hour episode), so no single "typical" delay fits: checks are placed at quantiles of the
 * completion times seen recently (30th, 55th, 75th, 90th, 97th percentile), so each check
 * finds a fixed share of transcripts finished whatever the spread — about 2-3 GETs per
 * transcript. Past the last quantile, or before anything was learnt, checks back off
 * geometrically. Never a fixed 3-second loop that would burn the request budget (NOTES.md).
 */
export class PollSchedule {
  private readonly window: number[] = [];
  private sorted: number[] = [];
  private dirty = false;

  constructor(
    private readonly bounds: { minMs: number; maxMs: number },
    private readonly options: { growth?: number; windowSize?: number } = {},
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
    if (this.window.length > (this.options.windowSize ?? 500)) this.window.shift();
    this.dirty = true;
  }

  private points(): number[] {
    if (this.window.length < 20) return [];
    if (this.dirty) {
      this.sorted = [...this.window].sort((a, b) => a - b);
      this.dirty = false;
    }
    const n = this.sorted.length;
    return PollSchedule.QUANTILES.map((q) => this.sorted[Math.min(n - 1, Math.floor(q * n))] as number);
  }

  private clamp(ms: number): number {
    return Math.round(Math.min(this.bounds.maxMs, Math.max(this.bounds.minMs, ms)));
  }
}
