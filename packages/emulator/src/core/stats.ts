import { BATCH_ITEM_FAULT_KINDS, type BatchItemFaultKind } from '../llm/batch-faults.ts';

/** Fault kinds counted in `faultsInjected` (`batchItem` = all kinds of `batchItemFaults` together). */
export type FaultKind =
  | 'http500'
  | 'http503'
  | 'drop'
  | 'slow'
  | 'transcriptError'
  | 'garbageAnswer'
  | 'batchItem'
  | 'answerFlip';

/** Counters a test or benchmark reads to judge a client (GET /_emulator/stats or `emulator.stats()`). */
export interface EmulatorStats {
  /** POST /v2/transcript calls that created a transcript. */
  submissions: number;
  /** Only audio URLs submitted at least twice appear in `duplicates`. */
  submissionsByAudioUrl: { distinctAudioUrls: number; duplicates: Record<string, number> };
  /** GET /v2/transcript/:id calls answered, unknown ids included. */
  getsTotal: number;
  /** Mean is over finished (completed or error) transcripts: the polls a client spent per result. */
  getsByTranscript: {
    transcripts: number;
    gets: number;
    maxPerTranscript: number;
    meanPerCompletedTranscript: number;
  };
  /** Every /v2 and /v1 request, whatever its answer. */
  requestsTotal: number;
  rateLimited429s: number;
  gateway429s: number;
  maxConcurrentProcessing: number;
  /** Most transcripts open at once (queued + processing): what a client had in flight. */
  maxOpen: number;
  processingNow: number;
  /** Transcripts in status `queued` (waiting out `queuedSeconds` or throttled for a slot). */
  queuedNow: number;
  maxQueued: number;
  /** Transcripts queued with `throttled: true` right now: waiting for a slot beyond the concurrency. */
  waitingForSlotNow: number;
  /** Peak of `waitingForSlotNow`: the most transcripts ever held back by the concurrency at once. */
  maxWaitingForSlot: number;
  /** Real milliseconds integrated over slots in use. */
  busySlotMs: number;
  /** Real milliseconds during which at least one transcript was queued or processing. */
  activeMs: number;
  /** Epoch milliseconds. */
  firstSubmitAt: number | null;
  /** Epoch milliseconds. */
  lastFinishedAt: number | null;
  /** busySlotMs / (concurrency x activeMs): share of the account's slot time used while work existed. */
  utilisation: number;
  completed: number;
  errored: number;
  /** Audio seconds of completed transcripts: what the account is billed for (errored ones are free). */
  billedAudioSeconds: number;
  gatewayCalls: number;
  gatewayInputTokens: number;
  gatewayOutputTokens: number;
  /** Answered gateway calls whose response_format asked for a batch (an array of key/topic items). */
  gatewayBatchedCalls: number;
  /** Items (keys in the schema's enum) asked for by those calls. */
  gatewayBatchedItems: number;
  /** Calls whose primary model failed (an injected 5xx) and that a `fallbacks` model answered. */
  gatewayFallbacks: number;
  /** Webhook POSTs answered 2xx. */
  webhookDeliveries: number;
  /** Webhook POSTs that failed (non-2xx, timeout or connection error). */
  webhookFailures: number;
  uploads: number;
  uploadBytes: number;
  faultsInjected: Record<FaultKind, number>;
  /** Damaged items of batched answers, by kind. */
  batchItemFaults: Record<BatchItemFaultKind, number>;
}

/** The part of a transcript record that per-transcript GET counting needs. */
export interface GetCounted {
  gets: number;
  getsEpoch: number;
  finished: boolean;
}

const counters = () => ({
  submissions: 0,
  getsTotal: 0,
  requestsTotal: 0,
  rateLimited429s: 0,
  gateway429s: 0,
  completed: 0,
  errored: 0,
  billedAudioSeconds: 0,
  gatewayCalls: 0,
  gatewayInputTokens: 0,
  gatewayOutputTokens: 0,
  gatewayBatchedCalls: 0,
  gatewayBatchedItems: 0,
  gatewayFallbacks: 0,
  webhookDeliveries: 0,
  webhookFailures: 0,
  uploads: 0,
  uploadBytes: 0,
});

const noFaults = (): Record<FaultKind, number> => ({
  http500: 0,
  http503: 0,
  drop: 0,
  slow: 0,
  transcriptError: 0,
  garbageAnswer: 0,
  batchItem: 0,
  answerFlip: 0,
});

const noItemFaults = () =>
  Object.fromEntries(BATCH_ITEM_FAULT_KINDS.map((k) => [k, 0])) as Record<BatchItemFaultKind, number>;

/**
 * Incremental statistics: every update is O(1) so that 20,000 transcripts and their polls cost
 * nothing extra, and `snapshot()` never scans the transcripts.
 */
export class StatsRecorder {
  /** Plain counters, bumped directly by the routes. */
  count = counters();
  faults = noFaults();
  batchItemFaults = noItemFaults();
  private byUrl = new Map<string, number>();
  private duplicates = new Map<string, number>();
  private epoch = 0;
  private getsTranscripts = 0;
  private getsOnRecords = 0;
  private getsMax = 0;
  private getsOnFinished = 0;
  private processing = 0;
  private queued = 0;
  private maxProcessing = 0;
  private maxQueued = 0;
  private waitingForSlot = 0;
  private maxWaitingForSlot = 0;
  private maxOpen = 0;
  private busySlotMs = 0;
  private activeMs = 0;
  private capacityMs = 0;
  private lastTick = performance.now();
  private firstSubmitAt: number | null = null;
  private lastFinishedAt: number | null = null;

  constructor(private concurrency: number) {}

  /** New slot count; integrals so far keep the old one. */
  setConcurrency(concurrency: number): void {
    this.advance();
    this.concurrency = concurrency;
  }

  /** A transcript was created for `audioUrl` and is now queued. */
  submitted(audioUrl: string): void {
    this.advance();
    this.count.submissions++;
    this.firstSubmitAt ??= Date.now();
    const seen = (this.byUrl.get(audioUrl) ?? 0) + 1;
    this.byUrl.set(audioUrl, seen);
    if (seen >= 2) this.duplicates.set(audioUrl, seen);
    this.queued++;
    this.maxQueued = Math.max(this.maxQueued, this.queued);
    this.maxOpen = Math.max(this.maxOpen, this.queued + this.processing);
  }

  /** A queued transcript became throttled (+1) or stopped being throttled (-1). */
  throttledChanged(delta: 1 | -1): void {
    this.waitingForSlot += delta;
    this.maxWaitingForSlot = Math.max(this.maxWaitingForSlot, this.waitingForSlot);
  }

  /** A queued transcript took a slot. */
  started(): void {
    this.advance();
    this.queued--;
    this.processing++;
    this.maxProcessing = Math.max(this.maxProcessing, this.processing);
  }

  /** A transcript reached a final status; `fromProcessing` is false if it never held a slot. */
  finished(record: GetCounted, status: 'completed' | 'error', fromProcessing: boolean): void {
    this.advance();
    if (fromProcessing) this.processing--;
    else this.queued--;
    if (status === 'completed') this.count.completed++;
    else this.count.errored++;
    this.lastFinishedAt = Date.now();
    if (record.getsEpoch === this.epoch) this.getsOnFinished += record.gets;
  }

  /** One GET /v2/transcript/:id answered for this existing record (bump `count.getsTotal` separately). */
  gotTranscript(record: GetCounted): void {
    if (record.getsEpoch !== this.epoch) {
      record.getsEpoch = this.epoch;
      record.gets = 0;
    }
    if (record.gets === 0) this.getsTranscripts++;
    record.gets++;
    this.getsOnRecords++;
    this.getsMax = Math.max(this.getsMax, record.gets);
    if (record.finished) this.getsOnFinished++;
  }

  /** Zero every counter; live gauges (processing, queued) stay true. */
  reset(): void {
    this.advance();
    this.count = counters();
    this.faults = noFaults();
    this.batchItemFaults = noItemFaults();
    this.byUrl.clear();
    this.duplicates.clear();
    this.epoch++;
    this.getsTranscripts = 0;
    this.getsOnRecords = 0;
    this.getsMax = 0;
    this.getsOnFinished = 0;
    this.maxProcessing = this.processing;
    this.maxQueued = this.queued;
    this.maxWaitingForSlot = this.waitingForSlot;
    this.maxOpen = this.queued + this.processing;
    this.busySlotMs = 0;
    this.activeMs = 0;
    this.capacityMs = 0;
    this.firstSubmitAt = null;
    this.lastFinishedAt = null;
  }

  /** A consistent copy of every counter, integrals brought up to now. */
  snapshot(): EmulatorStats {
    this.advance();
    const c = this.count;
    const finished = c.completed + c.errored;
    return {
      submissions: c.submissions,
      submissionsByAudioUrl: {
        distinctAudioUrls: this.byUrl.size,
        duplicates: Object.fromEntries(this.duplicates),
      },
      completed: c.completed,
      errored: c.errored,
      billedAudioSeconds: c.billedAudioSeconds,
      getsTotal: c.getsTotal,
      getsByTranscript: {
        transcripts: this.getsTranscripts,
        gets: this.getsOnRecords,
        maxPerTranscript: this.getsMax,
        meanPerCompletedTranscript: finished > 0 ? this.getsOnFinished / finished : 0,
      },
      requestsTotal: c.requestsTotal,
      rateLimited429s: c.rateLimited429s,
      processingNow: this.processing,
      queuedNow: this.queued,
      maxConcurrentProcessing: this.maxProcessing,
      maxQueued: this.maxQueued,
      waitingForSlotNow: this.waitingForSlot,
      maxWaitingForSlot: this.maxWaitingForSlot,
      maxOpen: this.maxOpen,
      busySlotMs: Math.round(this.busySlotMs),
      activeMs: Math.round(this.activeMs),
      utilisation: this.capacityMs > 0 ? Math.min(1, this.busySlotMs / this.capacityMs) : 0,
      firstSubmitAt: this.firstSubmitAt,
      lastFinishedAt: this.lastFinishedAt,
      gatewayCalls: c.gatewayCalls,
      gatewayInputTokens: c.gatewayInputTokens,
      gatewayOutputTokens: c.gatewayOutputTokens,
      gatewayBatchedCalls: c.gatewayBatchedCalls,
      gatewayBatchedItems: c.gatewayBatchedItems,
      gatewayFallbacks: c.gatewayFallbacks,
      gateway429s: c.gateway429s,
      webhookDeliveries: c.webhookDeliveries,
      webhookFailures: c.webhookFailures,
      uploads: c.uploads,
      uploadBytes: c.uploadBytes,
      faultsInjected: { ...this.faults },
      batchItemFaults: { ...this.batchItemFaults },
    };
  }

  private advance(): void {
    const now = performance.now();
    const dt = now - this.lastTick;
    this.lastTick = now;
    this.busySlotMs += this.processing * dt;
    if (this.processing + this.queued > 0) {
      this.activeMs += dt;
      this.capacityMs += this.concurrency * dt;
    }
  }
}
