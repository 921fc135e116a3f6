/**
 * When to check a transcript next. The first check comes at about the time recent
 * transcripts took to finish (learnt as it runs), later ones at 1.5× the time elapsed, so a
 * typical transcript needs one or two GETs and a long one a logarithmic number, never a
 * fixed 3-second loop that would burn the request budget (NOTES.md).
 */
export class PollSchedule {
  private typicalMs?: number;

  constructor(private readonly bounds: { minMs: number; maxMs: number }) {}

  /** Delay before the first check. */
  first(): number {
    const guess = this.typicalMs === undefined ? this.bounds.minMs : this.typicalMs * 0.9;
    return this.clamp(guess);
  }

  /** Delay before the next check, given the time since submission. */
  next(elapsedMs: number): number {
    return this.clamp(Math.max(elapsedMs * 0.5, this.first() - elapsedMs));
  }

  /** Learns from a transcript that finished `elapsedMs` after submission. */
  observe(elapsedMs: number): void {
    this.typicalMs = this.typicalMs === undefined ? elapsedMs : this.typicalMs * 0.8 + elapsedMs * 0.2;
  }

  private clamp(ms: number): number {
    return Math.round(Math.min(this.bounds.maxMs, Math.max(this.bounds.minMs, ms)));
  }
}
