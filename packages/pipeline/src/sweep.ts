import { apiTimeMs, type TranscriptListItem } from '@mediatag/assemblyai';
import { filesInFlightByTranscript } from '@mediatag/db';
import { toError } from '@mediatag/errors';
import type { Logger } from '@mediatag/logger';
import { wakePoll } from '@mediatag/queue';
import type { WorkerDeps } from './deps.ts';
import { AUTH_PAUSE_MS, classify } from './errors.ts';

// The in-flight scores are Redis time, `created` is AssemblyAI's clock: look a little further
// back than the oldest submission so a few seconds of drift between them never hides one.
const SKEW_MS = 30_000;
// Longer than any sweep (at most maxPages list requests); a process that dies holding it
// blocks the sweep this long at most, and the scheduled checks still run meanwhile.
const LOCK_MS = 60_000;

// Ends the lock only if it is still ours: keeps it for what is left of `ARGV[2]` ms, or deletes it.
const HAND_BACK = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local ms = tonumber(ARGV[2])
if ms > 0 then redis.call('PEXPIRE', KEYS[1], ms) else redis.call('DEL', KEYS[1]) end
return 1`;

/** What one sweep saw and did. */
export interface SweepReport {
  /** List requests made. */
  pages: number;
  /** Transcripts listed. */
  listed: number;
  /** Of those, finished (completed or error) and still in flight in Postgres. */
  finished: number;
  /** Poll jobs promoted or added (the others were already waiting or running). */
  woken: number;
  /** Why paging stopped. */
  stop: 'idle' | 'reached' | 'end' | 'max-pages' | 'budget';
}

/**
 * One completion sweep: lists the account's newest transcripts back to the oldest file in
 * flight (at most `maxPages` pages, one REST token each) and wakes the poll job of every file
 * whose transcript finished, so its one GET records the result at once.
 */
export async function sweepCompletions(
  deps: WorkerDeps,
  options: { pageSize: number; maxPages: number },
): Promise<SweepReport> {
  const report: SweepReport = { pages: 0, listed: 0, finished: 0, woken: 0, stop: 'idle' };
  const oldest = await deps.inFlight.oldest();
  if (oldest === undefined) return report;
  const cutoff = oldest - SKEW_MS;
  const finishedIds: string[] = [];
  let beforeId: string | undefined;
  for (;;) {
    if (report.pages >= options.maxPages) {
      report.stop = 'max-pages';
      break;
    }
    // Shared with every other request of the account; no waiting here, the next sweep comes soon.
    if ((await deps.apiRate.take(250)) > 0) {
      report.stop = 'budget';
      break;
    }
    const page = await deps.aai.listTranscripts(
      beforeId === undefined ? { limit: options.pageSize } : { limit: options.pageSize, before_id: beforeId },
    );
    report.pages += 1;
    report.listed += page.transcripts.length;
    for (const t of page.transcripts) if (isFinal(t)) finishedIds.push(t.id);
    const last = page.transcripts.at(-1);
    if (!last || page.page_details.prev_url === null) {
      report.stop = 'end';
      break;
    }
    if (apiTimeMs(last.created) < cutoff) {
      report.stop = 'reached';
      break;
    }
    beforeId = last.id;
  }
  const files = await filesInFlightByTranscript(deps.db, finishedIds);
  report.finished = files.length;
  const outcomes = await Promise.allSettled(files.map((f) => wakePoll(deps.queues, f.fileId)));
  for (const o of outcomes) {
    if (o.status === 'rejected') throw o.reason;
    if (o.value === 'promoted' || o.value === 'added') report.woken += 1;
  }
  return report;
}

function isFinal(t: TranscriptListItem): boolean {
  return t.status === 'completed' || t.status === 'error';
}

/**
 * Runs `sweepCompletions` every `intervalMs` in this process, one sweep at a time across all
 * processes (the `sweepLock` key). The lock is kept until 90% of the interval after the sweep
 * began, so several processes together sweep about as often as one. A failed sweep is logged
 * and never stops the timer; a 429 or a rejected key skips sweeps for as long as it says.
 */
export class CompletionSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pausedUntil = 0;
  private readonly log: Logger;
  private readonly me = `${process.pid}:${Math.random().toString(36).slice(2)}`;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly options: { intervalMs: number; pageSize: number; maxPages: number },
  ) {
    this.log = deps.log.child({ module: 'sweep' });
  }

  /** Starts the timer. */
  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sweeps now unless a sweep runs here already, paused or locked elsewhere. Resolves when done. */
  tick(): Promise<void> {
    if (this.running || Date.now() < this.pausedUntil) return this.running ?? Promise.resolve();
    this.running = this.once().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async once(): Promise<void> {
    const { deps } = this;
    const key = deps.keys.sweepLock;
    const began = Date.now();
    try {
      if ((await deps.inFlight.count()) === 0) return;
      if ((await deps.redis.set(key, this.me, 'PX', LOCK_MS, 'NX')) !== 'OK') return;
      try {
        const report = await sweepCompletions(deps, this.options);
        this.log.debug({ ...report, ms: Date.now() - began }, 'completion sweep');
      } finally {
        const left = Math.round(this.options.intervalMs * 0.9) - (Date.now() - began);
        await deps.redis.eval(HAND_BACK, 1, key, this.me, String(Math.max(0, left)));
      }
    } catch (error) {
      const verdict = classify(error);
      if (verdict.kind === 'rate-limited') this.pausedUntil = Date.now() + verdict.waitMs;
      if (verdict.kind === 'auth') this.pausedUntil = Date.now() + AUTH_PAUSE_MS;
      this.log.warn({ err: toError(error).message, verdict: verdict.kind }, 'completion sweep failed');
    }
  }
}
