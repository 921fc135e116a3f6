/** Fault injection rates (0..1) applied to API routes only, never to /samples or /_emulator. */
export interface Faults {
  /** Fraction of API requests answered 500. */
  http500Rate: number;
  /** Fraction of API requests answered 503. */
  http503Rate: number;
  /** Fraction of API requests whose socket is destroyed without any answer. */
  dropRate: number;
  /** Fraction of API requests delayed by `slowMs` before being handled. */
  slowRate: number;
  /** Real milliseconds a slow request waits. */
  slowMs: number;
  /** Fraction of transcripts that end in status `error` with a download error. */
  transcriptErrorRate: number;
  /** Fraction of gateway answers that are junk instead of one tag name (or the batch's JSON). */
  garbageAnswerRate: number;
  /**
   * Fraction of items of a batched answer that come back damaged: omitted, a misspelled topic,
   * a repeated key or an unknown key (one kind per faulted item, picked at random).
   */
  batchItemFaultRate: number;
  /** Fraction of answers (single, and each batched item) given the runner-up tag: valid but wrong. */
  answerFlipRate: number;
}

/** How long the emulated speech model takes, in emulated seconds. */
export interface ProcessingOptions {
  /** Fixed cost of every transcript. */
  baseSeconds: number;
  /** Emulated processing seconds per second of audio (production: about 35 s per hour). */
  realTimeFactor: number;
  /** Relative spread (0..1) around the nominal time, deterministic per transcript id. */
  jitter: number;
}

/** Everything that shapes one emulator instance. */
export interface EmulatorOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Requests must send `authorization: <apiKey>` exactly (no `Bearer`). */
  apiKey: string;
  /** Account slots: transcripts processing at once; the rest wait FIFO. */
  concurrency: number;
  /** Real milliseconds per emulated second (1000 = real time, 0 = as fast as possible). */
  timeScale: number;
  processing: ProcessingOptions;
  /** Emulated seconds a transcript stays `queued` before it may take a free slot. */
  queuedSeconds: number;
  /** Budget over all /v2 requests, in real time (not scaled: it limits the client, not the model). */
  rateLimit: { requests: number; windowSeconds: number };
  /**
   * LLM Gateway budget per model per 60 emulated seconds (a window of 60 x `timeScale` real ms;
   * at `timeScale` 0 the window stays a real 60 s). null = no limit and no X-RateLimit headers.
   */
  gateway: { requestsPerMinute: number | null };
  /** `intervalSeconds` is emulated (scaled); `timeoutMs` is real, null = 10 emulated s, at least 1 s. */
  webhook: { attempts: number; intervalSeconds: number; timeoutMs: number | null };
  faults: Faults;
  /** Seed of the PRNG behind faults and jitter, so runs repeat. */
  seed: number;
  /** Largest JSON request body accepted before answering 413. */
  maxJsonBytes: number;
}

/** Options as callers pass them: every field optional, nested objects merged field by field. */
export type EmulatorOverrides = {
  [K in keyof EmulatorOptions]?: EmulatorOptions[K] extends number | string
    ? EmulatorOptions[K]
    : Partial<EmulatorOptions[K]>;
};

/** Zero faults: a healthy account and a model that never slips (the defaults have `batchItemFaultRate` 0.02). */
export const NO_FAULTS: Faults = {
  http500Rate: 0,
  http503Rate: 0,
  dropRate: 0,
  slowRate: 0,
  slowMs: 0,
  transcriptErrorRate: 0,
  garbageAnswerRate: 0,
  batchItemFaultRate: 0,
  answerFlipRate: 0,
};

/**
 * Defaults match a paid production account: 200 slots, 20,000 requests / 5 min, ~35 s per audio
 * hour, 30 gateway requests per minute per model.
 */
export const DEFAULT_OPTIONS: EmulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  apiKey: 'emulator-key',
  concurrency: 200,
  timeScale: 1000,
  processing: { baseSeconds: 3, realTimeFactor: 35 / 3600, jitter: 0.2 },
  queuedSeconds: 0.5,
  rateLimit: { requests: 20_000, windowSeconds: 300 },
  gateway: { requestsPerMinute: 30 },
  webhook: { attempts: 10, intervalSeconds: 10, timeoutMs: null },
  // Models slip on an item of a long structured answer now and then even under a strict schema.
  faults: { ...NO_FAULTS, batchItemFaultRate: 0.02 },
  seed: 1,
  maxJsonBytes: 8 * 1024 * 1024,
};

/** Merge overrides into a full options object, dropping `undefined` values. */
export function mergeOptions(base: EmulatorOptions, overrides: EmulatorOverrides = {}): EmulatorOptions {
  const pick = <T extends object>(current: T, patch: Partial<T> | undefined): T => {
    const next = { ...current };
    for (const [key, value] of Object.entries(patch ?? {})) {
      // Unknown keys (e.g. a typo in POST /_emulator/faults) are ignored, not stored.
      if (value !== undefined && key in current) (next as Record<string, unknown>)[key] = value;
    }
    return next;
  };
  const merged: EmulatorOptions = {
    ...pick(base, {
      port: overrides.port,
      host: overrides.host,
      apiKey: overrides.apiKey,
      concurrency: overrides.concurrency,
      timeScale: overrides.timeScale,
      queuedSeconds: overrides.queuedSeconds,
      seed: overrides.seed,
      maxJsonBytes: overrides.maxJsonBytes,
    } as Partial<EmulatorOptions>),
    processing: pick(base.processing, overrides.processing),
    rateLimit: pick(base.rateLimit, overrides.rateLimit),
    gateway: pick(base.gateway, overrides.gateway),
    webhook: pick(base.webhook, overrides.webhook),
    faults: pick(base.faults, overrides.faults),
  };
  validateOptions(merged);
  return merged;
}

/**
 * Real ms of one gateway rate-limit window: 60 emulated seconds. At `timeScale` 0 (as fast as
 * possible) a scaled window would be 0 ms, i.e. no limit at all, which would hide a client that
 * ignores the gateway's budget; the window stays a real 60 s instead. Say `requestsPerMinute: null`
 * to turn the limit off.
 */
export function gatewayWindowMs(o: Pick<EmulatorOptions, 'timeScale'>): number {
  return o.timeScale > 0 ? 60 * o.timeScale : 60_000;
}

function validateOptions(o: EmulatorOptions): void {
  const bad = (what: string) => {
    throw new RangeError(`emulator option ${what}`);
  };
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) bad('concurrency must be an integer >= 1');
  if (!(o.timeScale >= 0)) bad('timeScale must be >= 0');
  if (!(o.queuedSeconds >= 0)) bad('queuedSeconds must be >= 0');
  if (!(o.rateLimit.requests >= 1) || !(o.rateLimit.windowSeconds > 0)) bad('rateLimit must be positive');
  const rpm = o.gateway.requestsPerMinute;
  if (rpm !== null && !(typeof rpm === 'number' && rpm >= 1))
    bad('gateway.requestsPerMinute must be >= 1, or null for no limit');
  if (!(o.webhook.attempts >= 1)) bad('webhook.attempts must be >= 1');
  if (!(o.processing.jitter >= 0 && o.processing.jitter <= 1)) bad('processing.jitter must be in [0, 1]');
  for (const [key, value] of Object.entries(o.faults)) {
    const inRange = key === 'slowMs' ? value >= 0 : value >= 0 && value <= 1;
    if (typeof value !== 'number' || !inRange)
      bad(`faults.${key} must be a number ${key === 'slowMs' ? '>= 0' : 'in [0, 1]'}`);
  }
}
