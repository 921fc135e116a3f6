import type { CliEnv } from '@mediatag/config';
import {
  anyUnfinished,
  batchProgress,
  batchSpend,
  cappedBatches,
  capReached,
  countFailed,
  type Db,
  missingBatches,
} from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { readHealth } from '@mediatag/pipeline';
import { type RedisClient, redisKeys } from '@mediatag/queue';
import { EXIT } from './why.ts';

/** How a drain check came out: still running, or the exit code and why. */
export type DrainState = { done: false } | { done: true; code: number; message: string };

/**
 * `worker --exit-when-done`: whether the batches (every batch when `names` is empty) are
 * drained. One EXISTS query while work is left (it stops at the first unfinished file);
 * the failures are counted only once nothing is left. Also done, with its own code, when
 * nothing can move without a person: the API key was rejected since `since` (3), or every
 * file left is held by a spending cap with nothing of it in flight (4).
 */
export class DrainCheck {
  private constructor(
    private readonly db: Db,
    private readonly redis: RedisClient,
    private readonly env: CliEnv,
    private readonly names: string[] | null,
    private readonly since: number,
  ) {}

  /** Checks that every named batch exists (a typo would otherwise wait for nothing, or exit 0 at once). */
  static async open(
    db: Db,
    redis: RedisClient,
    env: CliEnv,
    names: string[],
    since: number,
  ): Promise<DrainCheck> {
    const missing = await missingBatches(db, names);
    if (missing.length) throw new UsageError(`no batch named ${missing.map((n) => `"${n}"`).join(', ')}`);
    return new DrainCheck(db, redis, env, names.length ? names : null, since);
  }

  async check(): Promise<DrainState> {
    const what = this.names ? `batch ${this.names.join(', ')}` : 'every batch';
    if (!(await anyUnfinished(this.db, this.names))) {
      const n = await countFailed(this.db, this.names);
      return n > 0
        ? {
            done: true,
            code: EXIT.failed,
            message: `${what}: every file final, ${n} failed (mediatag retry --batch NAME)`,
          }
        : { done: true, code: EXIT.done, message: `${what}: every file final` };
    }
    const health = await readHealth(this.redis, redisKeys(this.env.QUEUE_PREFIX).health);
    const rejected = health.keyRejected;
    if (rejected && rejected.at >= this.since) {
      return { done: true, code: EXIT.keyRejected, message: `the API key was rejected: ${rejected.reason}` };
    }
    return this.capHoldsTheRest(what);
  }

  private async capHoldsTheRest(what: string): Promise<DrainState> {
    const capped = await cappedBatches(this.db);
    if (capped.length === 0) return { done: false };
    const ids = new Map(capped.map((r) => [r.name, r.id]));
    const rows = (await batchProgress(this.db)).filter(
      (p) => !this.names || this.names.includes(p.batch ?? ''),
    );
    for (const p of rows) {
      if (p.final >= p.total) continue;
      const id = ids.get(p.batch ?? '');
      if (id === undefined || p.queued + p.processing + p.tagging > 0) return { done: false };
      const spend = await batchSpend(this.db.$client, id, {
        pricePerAudioHour: this.env.PRICE_PER_AUDIO_HOUR,
        defaultAudioS: this.env.COST_ESTIMATE_AUDIO_S,
      });
      if (!capReached(spend)) return { done: false };
    }
    return {
      done: true,
      code: EXIT.capReached,
      message: `${what}: the spending cap holds every file left (mediatag batch set-cap NAME USD)`,
    };
  }
}
