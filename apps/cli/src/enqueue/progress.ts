import type { Writable } from 'node:stream';
import { formatDuration } from '../progress-bar.ts';

/** What has been read and written so far, as the writer counts it. */
export interface WrittenSoFar {
  added: number;
  alreadyKnown: number;
}

const number = (n: number) => n.toLocaleString('en-US');

/**
 * Enqueue's progress: one line redrawn in place on a terminal (at most ten times a second),
 * else a plain line every `everyMs` or every `everyLines` lines read, whichever comes first,
 * so logs and CI show a long run is alive. Sources and the upload loop call the counters;
 * the writer's totals are read when a line is drawn. Silent when `quiet`.
 */
export class EnqueueProgress {
  private lines = 0;
  private items = 0;
  private objects = 0;
  private localFiles = 0;
  private localDone = 0;
  private uploadedFiles = 0;
  private uploadedBytes = 0;
  private readonly startedAt = Date.now();
  private lastAt = 0;
  private linesAtLast = 0;
  private drew = false;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly stream: Writable & { isTTY?: boolean },
    private readonly written: () => WrittenSoFar,
    private readonly options: { quiet?: boolean; everyMs?: number; everyLines?: number } = {},
  ) {
    // A slow upload or a feed that trickles in produces no events: check the clock anyway.
    if (!options.quiet) {
      this.timer = setInterval(() => this.maybeDraw(), 1000);
      this.timer.unref();
    }
  }

  /** Lines read from a text or CSV source (rejected and blank ones included). */
  read(lines: number): void {
    if (lines === 0) return;
    this.lines += lines;
    this.maybeDraw();
  }

  /** One feed item read. */
  item(): void {
    this.items += 1;
    this.maybeDraw();
  }

  /** One bucket object listed (media or not). */
  object(): void {
    this.objects += 1;
    this.maybeDraw();
  }

  /** Local files about to be hashed and uploaded. */
  locals(count: number): void {
    this.localFiles = count;
    this.maybeDraw();
  }

  /** One local file resolved: `bytes` sent when it was uploaded, 0 when its content was known. */
  local(bytes: number): void {
    this.localDone += 1;
    if (bytes > 0) {
      this.uploadedFiles += 1;
      this.uploadedBytes += bytes;
    }
    this.maybeDraw();
  }

  /** Clears the in-place line (before another message is printed); it is redrawn on the next event. */
  clear(): void {
    if (this.drew && this.stream.isTTY) {
      this.stream.write('\r\x1b[K');
      this.drew = false;
      this.lastAt = 0;
    }
  }

  /** Stops the clock and clears the in-place line. */
  done(): void {
    if (this.timer) clearInterval(this.timer);
    this.clear();
  }

  private maybeDraw(): void {
    if (this.options.quiet) return;
    const now = Date.now();
    if (this.stream.isTTY) {
      if (now - this.lastAt < 100) return;
      this.lastAt = now;
      this.drew = true;
      this.stream.write(`\r${this.text(now)}\x1b[K`);
      return;
    }
    const byLines = this.lines - this.linesAtLast >= (this.options.everyLines ?? 10_000);
    const byTime = now - this.lastAt >= (this.options.everyMs ?? 5000) && now - this.startedAt >= 1000;
    if (!byLines && !byTime) return;
    this.lastAt = now;
    this.linesAtLast = this.lines;
    this.stream.write(`${this.text(now)}\n`);
  }

  private text(now: number): string {
    const { added, alreadyKnown } = this.written();
    const parts: string[] = [];
    if (this.lines > 0) parts.push(`read ${number(this.lines)} lines`);
    if (this.items > 0) parts.push(`${number(this.items)} feed items`);
    if (this.objects > 0) parts.push(`${number(this.objects)} bucket objects`);
    parts.push(`added ${number(added)}`, `already known ${number(alreadyKnown)}`);
    if (this.localFiles > 0) {
      const mb = (this.uploadedBytes / 1e6).toFixed(1);
      parts.push(
        `local files ${number(this.localDone)}/${number(this.localFiles)} (uploaded ${number(this.uploadedFiles)}, ${mb} MB)`,
      );
    }
    return `enqueue: ${parts.join(', ')} (${formatDuration((now - this.startedAt) / 1000)})`;
  }
}
