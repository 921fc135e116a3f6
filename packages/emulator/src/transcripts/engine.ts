import { randomUUID } from 'node:crypto';
import { unitFromKey } from '../core/random.ts';
import type { StatsRecorder } from '../core/stats.ts';
import type { Timeline } from '../core/timeline.ts';
import type { EmulatorOptions } from '../options.ts';
import type { AudioContent } from './content.ts';
import type { SubmitRequest, TranscriptRecord, TranscriptStatus } from './model.ts';

/** What the engine needs from the emulator around it. */
export interface EngineContext {
  options(): EmulatorOptions;
  timeline: Timeline;
  stats: StatsRecorder;
  /** Called once per transcript when it reaches `completed` or `error` (webhooks hook in here). */
  onFinished(record: TranscriptRecord): void;
  /** Fetches a loopback audio URL when its job starts (never rejects: a failure is in the content). */
  download?(url: string): Promise<AudioContent>;
}

/** A page of the transcript list, newest first. */
export interface ListPage {
  items: TranscriptRecord[];
  hasOlder: boolean;
}

/**
 * The account's transcription pipeline: `queued` for `queuedSeconds`, then a slot if one is free
 * (else a FIFO wait with `throttled: true`), `processing` for a time proportional to the audio,
 * then `completed` or `error`. Every step is O(1) (O(log n) on the shared timeline).
 */
export class TranscriptEngine {
  private readonly byId = new Map<string, TranscriptRecord>();
  /** Index = seq, so paging is a slice, never a scan. */
  private readonly bySeq: TranscriptRecord[] = [];
  private waiting: TranscriptRecord[] = [];
  private waitHead = 0;
  private processing = 0;

  constructor(private readonly ctx: EngineContext) {}

  /** Create a queued transcript and schedule its lifecycle. */
  submit(request: SubmitRequest, content: AudioContent, speechModelUsed: string): TranscriptRecord {
    const { concurrency, queuedSeconds, timeScale } = this.ctx.options();
    const record: TranscriptRecord = {
      id: randomUUID(),
      seq: this.bySeq.length,
      request,
      status: 'queued',
      createdAt: Date.now(),
      completedAt: null,
      // Known up front when every slot is taken: the job will have to wait its turn.
      throttled: this.processing + this.waitingCount() >= concurrency ? true : null,
      durationSeconds: content.durationSeconds,
      text: content.text,
      failure: content.failure,
      download: content.download ?? null,
      speechModelUsed,
      webhookStatusCode: null,
      deleted: false,
      gets: 0,
      getsEpoch: -1,
      finished: false,
    };
    this.byId.set(record.id, record);
    this.bySeq.push(record);
    this.ctx.stats.submitted(request.audioUrl);
    if (record.throttled) this.ctx.stats.throttledChanged(1);
    this.ctx.timeline.after(queuedSeconds * timeScale, () => this.eligible(record));
    return record;
  }

  /** The transcript with this id, deleted ones included. */
  get(id: string): TranscriptRecord | undefined {
    return this.byId.get(id);
  }

  /** Scrub a finished transcript; in-flight ones cannot be deleted yet. */
  delete(id: string): TranscriptRecord | 'in-progress' | undefined {
    const record = this.byId.get(id);
    if (!record) return undefined;
    if (!record.finished) return 'in-progress';
    record.deleted = true;
    record.text = '';
    return record;
  }

  /** Slots freed by a larger `concurrency` are filled at once. */
  concurrencyChanged(): void {
    this.drain();
  }

  /** Newest-first page before/after a transcript id, optionally one status only. */
  list(
    limit: number,
    beforeId: string | null,
    afterId: string | null,
    status: TranscriptStatus | null,
  ): ListPage | null {
    const matches = (r: TranscriptRecord) => status === null || r.status === status;
    const items: TranscriptRecord[] = [];
    if (afterId !== null) {
      const after = this.byId.get(afterId);
      if (!after) return null;
      for (let seq = after.seq + 1; seq < this.bySeq.length && items.length < limit; seq++) {
        const r = this.bySeq[seq];
        if (r && matches(r)) items.push(r);
      }
      items.reverse();
    } else {
      let start = this.bySeq.length - 1;
      if (beforeId !== null) {
        const before = this.byId.get(beforeId);
        if (!before) return null;
        start = before.seq - 1;
      }
      for (let seq = start; seq >= 0 && items.length < limit; seq--) {
        const r = this.bySeq[seq];
        if (r && matches(r)) items.push(r);
      }
    }
    const oldest = items[items.length - 1];
    return { items, hasOlder: oldest !== undefined && oldest.seq > 0 };
  }

  private waitingCount(): number {
    return this.waiting.length - this.waitHead;
  }

  private eligible(record: TranscriptRecord): void {
    if (this.processing < this.ctx.options().concurrency && this.waitingCount() === 0) {
      this.start(record);
    } else {
      if (!record.throttled) this.ctx.stats.throttledChanged(1);
      record.throttled = true;
      this.waiting.push(record);
    }
  }

  private start(record: TranscriptRecord): void {
    record.status = 'processing';
    // The API reports false (not null) once a throttled job gets its slot.
    if (record.throttled) {
      record.throttled = false;
      this.ctx.stats.throttledChanged(-1);
    }
    this.processing++;
    this.ctx.stats.started();
    const url = record.download;
    if (url !== null && this.ctx.download) {
      // Production fetches the audio when the job starts, not at submission: a presigned URL
      // that expired while the job waited in the queue fails here.
      record.download = null;
      void this.ctx.download(url).then((content) => {
        record.text = content.text;
        record.durationSeconds = content.durationSeconds;
        record.failure = content.failure;
        this.process(record);
      });
      return;
    }
    this.process(record);
  }

  private process(record: TranscriptRecord): void {
    const { processing, timeScale, seed } = this.ctx.options();
    // A download failure is noticed before any audio is processed, within a second or so:
    // the job gives its slot back without the model's fixed cost.
    const nominal =
      record.failure === null
        ? processing.baseSeconds + processing.realTimeFactor * record.durationSeconds
        : Math.min(processing.baseSeconds, 1);
    const spread = 1 + processing.jitter * (2 * unitFromKey(`${seed}:${record.id}`) - 1);
    this.ctx.timeline.after(nominal * spread * timeScale, () => this.finish(record));
  }

  private finish(record: TranscriptRecord): void {
    const status = record.failure === null ? 'completed' : 'error';
    record.status = status;
    record.completedAt = Date.now();
    record.finished = true;
    this.processing--;
    if (status === 'completed') this.ctx.stats.count.billedAudioSeconds += record.durationSeconds;
    this.ctx.stats.finished(record, status, true);
    this.drain();
    this.ctx.onFinished(record);
  }

  private drain(): void {
    const { concurrency } = this.ctx.options();
    while (this.processing < concurrency && this.waitHead < this.waiting.length) {
      const next = this.waiting[this.waitHead++];
      if (next) this.start(next);
    }
    // Compact now and then so the FIFO array does not grow without bound.
    if (this.waitHead > 1024 && this.waitHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitHead);
      this.waitHead = 0;
    }
  }
}
