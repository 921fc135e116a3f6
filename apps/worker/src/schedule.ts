/**
 * When to check a transcript next. The first check comes at about the time recent
 * transcripts took to finish (learnt as it runs); later ones at (1 + growth) × the time
 * elapsed, so a typical transcript needs one to three GETs, a long one a logarithmic
 * number, never a fixed 3-second loop that would burn the request budget (NOTES.md).
 * A smaller growth finds a finished transcript sooner (its account slot is reused sooner)
 * at the price of more GETs.
 */
export class PollSchedule {
  private typicalMs?: number;

  constructor(
    private readonly bounds: { minMs: number; maxMs: number },
    private readonly growth = 0.25,
  ) {}

  /** Delay before the first check. */
  first(): number {
    const guess = this.typicalMs === undefined ? this.bounds.minMs : this.typicalMs * 0.9;
    return this.clamp(guess);
  }

  /** Delay before the next check, given the time since submission. */
  next(elapsedMs: number): number {
    return this.clamp(Math.max(elapsedMs * this.growth, this.first() - elapsedMs));
  }

  /**
   * Learns from a transcript found finished at `elapsedMs` on check number `check` (1 =
   * first). It finished somewhere since the previous check, so the estimate uses the middle
   * of that interval: learning from the moment of detection would let each detection delay
   * push the next first check later.
   */
  observe(elapsedMs: number, check: number): void {
    const previous = check <= 1 ? 0 : elapsedMs / (1 + this.growth);
    const finishedAt = (previous + elapsedMs) / 2;
    this.typicalMs = this.typicalMs === undefined ? finishedAt : this.typicalMs * 0.8 + finishedAt * 0.2;
  }

  private clamp(ms: number): number {
    return Math.round(Math.min(this.bounds.maxMs, Math.max(this.bounds.minMs, ms)));
  }
}
