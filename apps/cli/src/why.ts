import type { CliEnv } from '@mediatag/config';
import { type BatchSpend, batchSpend, cappedBatches, capReached, type Db, type Progress } from '@mediatag/db';
import { toError } from '@mediatag/errors';
import { type HealthReport, readHealth, WORKER_STALE_MS } from '@mediatag/pipeline';
import { redisKeys } from '@mediatag/queue';
import type { Context } from './context.ts';

/** Why a batch is not moving (or moves slower than its pace says). */
export type ReasonCode =
  | 'no-worker'
  | 'key-rejected'
  | 'spending-cap'
  | 'gateway-limit'
  | 'throttled'
  | 'only-failed'
  | 'redis-unreachable';

/** One reason, in words a user acts on, and what `status --wait` does about it. */
export interface Reason {
  code: ReasonCode;
  text: string;
  /**
   * The exit code of `status --wait` when this reason means the batch cannot progress without
   * a person; absent when waiting can still help.
   */
  exitCode?: number;
  details?: Record<string, unknown>;
}

/** `status --wait` exit codes, also in the README and `status --help`. */
export const EXIT = { done: 0, failed: 1, keyRejected: 3, capReached: 4, timeout: 124 } as const;

/** What the reasons are computed from, read once per status call. */
export interface Observed {
  health: HealthReport | { error: string };
  /** Spend of the capped batches that have files waiting, by batch name. */
  spends: Map<string, BatchSpend>;
}

/** Reads the workers' heartbeats and pause records, and the spend of capped batches. */
export async function observe(ctx: Context, rows: Progress[]): Promise<Observed> {
  const db: Db = await ctx.db();
  let health: Observed['health'];
  try {
    health = await readHealth(await ctx.redis(), redisKeys(ctx.env.QUEUE_PREFIX).health);
  } catch (error) {
    health = { error: toError(error).message.split('\n')[0] ?? 'unknown error' };
  }
  const spends = new Map<string, BatchSpend>();
  const waiting = new Set(rows.filter((r) => r.pending > 0).map((r) => r.batch));
  if (waiting.size > 0) {
    for (const b of await cappedBatches(db)) {
      if (!waiting.has(b.name)) continue;
      spends.set(
        b.name,
        await batchSpend(db.$client, b.id, {
          pricePerAudioHour: ctx.env.PRICE_PER_AUDIO_HOUR,
          defaultAudioS: ctx.env.COST_ESTIMATE_AUDIO_S,
        }),
      );
    }
  }
  return { health, spends };
}

/** "$0.0123" below a dollar, "$12.34" above. */
export function usd(x: number): string {
  return `$${x.toFixed(Math.abs(x) < 1 ? 4 : 2)}`;
}

const clock = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** The reasons a batch is not moving, most actionable first; empty when nothing is in the way. */
export function reasonsFor(env: CliEnv, p: Progress, seen: Observed): Reason[] {
  const name = p.batch ?? '';
  const left = p.total - p.final;
  if (left === 0) {
    if (p.failed === 0) return [];
    return [
      {
        code: 'only-failed',
        text: `everything left has failed: ${p.failed} file${p.failed === 1 ? '' : 's'} (see the error column of tagged_files, then run: mediatag retry --batch ${name})`,
        exitCode: EXIT.failed,
        details: { failed: p.failed },
      },
    ];
  }
  const reasons: Reason[] = [];
  const health = seen.health;
  if ('error' in health) {
    reasons.push({ code: 'redis-unreachable', text: `cannot read the workers' heartbeats: ${health.error}` });
  } else {
    const live = health.workers.filter((w) => health.now - w.seenAt < WORKER_STALE_MS);
    if (live.length === 0) {
      const last = Math.max(0, ...health.workers.map((w) => w.seenAt));
      const ago = Math.round((health.now - last) / 1000);
      reasons.push({
        code: 'no-worker',
        text:
          last > 0
            ? `no worker seen for ${ago} s (last: ${health.workers.find((w) => w.seenAt === last)?.host} at ${clock(last)}); start one: mediatag worker all`
            : `no worker seen under QUEUE_PREFIX=${env.QUEUE_PREFIX}; start one: mediatag worker all`,
        details: last > 0 ? { lastSeenAgoS: ago } : { lastSeenAgoS: null },
      });
    }
    const rejected = health.keyRejected;
    if (rejected) {
      const what =
        rejected.api === 'gateway' ? 'tagging paused: the LLM Gateway' : 'submissions paused: AssemblyAI';
      reasons.push({
        code: 'key-rejected',
        text: `${what} rejected the API key (first at ${clock(rejected.since)}, last at ${clock(rejected.at)}, worker ${rejected.host} pid ${rejected.pid}); set ASSEMBLYAI_API_KEY to a valid key and restart the workers`,
        exitCode: EXIT.keyRejected,
        details: { ...rejected },
      });
    }
    const gateway = health.gatewayWait;
    if (gateway && p.tagging > 0 && gateway.until > health.now - 5000) {
      const limit = env.LLM_RATE_LIMIT;
      reasons.push({
        code: 'gateway-limit',
        text: `waiting for the gateway's per-model limit (model ${gateway.model}, ${limit.requests} requests / ${limit.windowMs / 1000} s; ${gateway.reason}): raise LLM_RATE_LIMIT if your account allows more, or add models with LLM_MODELS`,
        details: { ...gateway },
      });
    }
    const throttled = live.reduce((sum, w) => sum + w.throttled, 0);
    if (throttled > 0 && p.queued > 0) {
      reasons.push({
        code: 'throttled',
        text: `AssemblyAI is queueing ${throttled} of our submissions (throttled: the account's concurrency is full); they start as its slots free up`,
        details: { throttled },
      });
    }
  }
  const spend = seen.spends.get(name);
  if (spend && capReached(spend)) {
    // Blocking only once nothing of the batch is moving: files in flight may still finish cheaper.
    const moving = p.queued + p.processing + p.tagging;
    reasons.push({
      code: 'spending-cap',
      text: `spending cap reached: ${usd(spend.spentUsd)} spent + ${usd(spend.inFlightUsd)} in flight of the ${usd(spend.capUsd ?? 0)} cap, ${p.pending} files held (next ≈ ${usd(spend.nextFileUsd)}); raise it: mediatag batch set-cap ${name} USD`,
      ...(moving === 0 ? { exitCode: EXIT.capReached } : {}),
      details: { ...spend },
    });
  }
  return reasons.sort((a, b) => ORDER.indexOf(a.code) - ORDER.indexOf(b.code));
}

const ORDER: ReasonCode[] = [
  'no-worker',
  'key-rejected',
  'spending-cap',
  'gateway-limit',
  'throttled',
  'redis-unreachable',
  'only-failed',
];
