import type { Writable } from 'node:stream';
import type { Progress } from '@mediatag/db';

/**
 * Shows a batch's progress: a bar redrawn in place with rate and ETA on a terminal, one
 * plain line every few seconds otherwise (logs and CI stay readable).
 */
export class ProgressReporter {
  private readonly startedAt = Date.now();
  private firstFinal?: number;
  private lastPlainAt = 0;
  private drewBar = false;
  private lastWhy = '';

  constructor(
    private readonly stream: Writable & { isTTY?: boolean; columns?: number },
    private readonly options: { json?: boolean; plainEveryMs?: number } = {},
  ) {}

  /** Called on every poll; `why` says what keeps the batch from moving, when something does. */
  update(p: Progress, why = ''): void {
    if (this.firstFinal === undefined) this.firstFinal = p.final;
    const elapsedS = (Date.now() - this.startedAt) / 1000;
    const done = p.final - this.firstFinal;
    const rate = elapsedS > 0 ? done / elapsedS : 0;
    const left = p.total - p.final;
    const eta = rate > 0 ? formatDuration(left / rate) : '--';
    const stats = `${p.final}/${p.total} final  ${p.queued + p.processing} transcribing  ${p.tagging} tagging  ${p.failed} failed  ${rate.toFixed(1)}/s  ETA ${eta}${why ? `  why: ${why}` : ''}`;
    const changed = why !== this.lastWhy;
    this.lastWhy = why;
    if (this.stream.isTTY && !this.options.json) {
      const width = Math.max(10, Math.min(40, (this.stream.columns ?? 100) - stats.length - 10));
      const filled = p.total === 0 ? width : Math.round((p.final / p.total) * width);
      const pct = p.total === 0 ? 100 : Math.floor((p.final / p.total) * 100);
      this.stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ${stats}\x1b[K`,
      );
      this.drewBar = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainAt >= (this.options.plainEveryMs ?? 5000) || p.final >= p.total || changed) {
      this.lastPlainAt = now;
      this.stream.write(`${new Date(now).toISOString()} ${p.batch}: ${stats}\n`);
    }
  }

  /** Called once when following stops before the batch is final. */
  stopped(p: Progress, why: string): void {
    if (this.drewBar) this.stream.write('\n');
    this.stream.write(`${p.batch}: ${p.final}/${p.total} final; stopped: ${why}\n`);
  }

  /** Called once when the batch is final. */
  done(p: Progress): void {
    if (this.drewBar) this.stream.write('\n');
    const elapsed = formatDuration((Date.now() - this.startedAt) / 1000);
    this.stream.write(
      `${p.batch}: all ${p.total} files final in ${elapsed}: ${p.tagged} tagged, ${p.unmatched} unmatched, ${p.failed} failed\n`,
    );
  }
}

/** 75 → "1m15s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
