import { toError } from '@mediatag/errors';
import type { Logger } from '@mediatag/logger';
import type { RedisClient } from '@mediatag/queue';
import { type Api, bucketFor, encodeField, type Field } from './fields.ts';

/** One HTTP attempt as the API clients report it (their `onMetrics` info plus which API). */
export interface RequestObservation {
  api: Api;
  method: string;
  /** Templated path, e.g. `/v2/transcript/:id`: a raw id here would make one series per transcript. */
  route: string;
  statusCode?: number | undefined;
  durationMs: number;
  errorCode?: string | undefined;
}

export interface MetricsRecorderOptions {
  redis: RedisClient;
  /** The deployment's counter hash: `redisKeys(QUEUE_PREFIX).metrics`. */
  key: string;
  log?: Logger | undefined;
}

/**
 * Counts API requests in memory and adds the deltas to a Redis hash every few seconds, so the
 * counters of every worker process on every machine add up and `mediatag serve` can export
 * them. Recording is synchronous and never touches the network.
 */
export class MetricsRecorder {
  readonly key: string;
  private readonly redis: RedisClient;
  private readonly log: Logger | undefined;
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(options: MetricsRecorderOptions) {
    this.redis = options.redis;
    this.key = options.key;
    this.log = options.log;
  }

  /** Counts one request attempt and its duration. */
  observeRequest(info: RequestObservation): void {
    const labels = { api: info.api, method: info.method, route: info.route };
    // A request that got no answer (reset, timeout) is labelled by its error code instead.
    const status = info.statusCode !== undefined ? String(info.statusCode) : (info.errorCode ?? 'error');
    const seconds = Math.max(0, info.durationMs) / 1000;
    this.add({ kind: 'requests', ...labels, status }, 1);
    this.add({ kind: 'bucket', ...labels, le: bucketFor(seconds) }, 1);
    this.add({ kind: 'sum', ...labels }, seconds);
  }

  /** Counts one rate-limit hit (a 429 from the API). */
  rateLimited(api: Api): void {
    this.add({ kind: 'rateLimited', api }, 1);
  }

  /** Flushes every `intervalMs` until stop(); the timer never keeps the process alive. */
  start(intervalMs = 5000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and flushes what is left (gives up after `timeoutMs` if Redis is unreachable). */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const done = (async () => {
      await this.flushing;
      await this.flush();
    })();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const late = await Promise.race([done.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late)
      this.log?.warn({ fields: this.pending.size }, 'metrics not flushed at shutdown: Redis too slow');
  }

  /** Sends the deltas gathered so far in one MULTI; on failure they are kept for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private add(field: Field, value: number): void {
    const name = encodeField(field);
    this.pending.set(name, (this.pending.get(name) ?? 0) + value);
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    // MULTI rather than a bare pipeline: all increments apply or none, so a retry after a
    // failed flush cannot count part of a batch twice.
    const multi = this.redis.multi();
    for (const [name, value] of batch) multi.hincrbyfloat(this.key, name, value);
    try {
      const results = await multi.exec();
      if (results === null) throw new Error('MULTI aborted');
    } catch (error) {
      for (const [name, value] of batch) this.pending.set(name, (this.pending.get(name) ?? 0) + value);
      this.log?.warn({ err: toError(error).message, fields: batch.size }, 'metrics flush failed; will retry');
    }
  }
}
