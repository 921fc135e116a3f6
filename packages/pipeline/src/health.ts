import { hostname } from 'node:os';
import { toError } from '@mediatag/errors';
import type { Logger } from '@mediatag/logger';
import type { HealthKeys, RedisClient } from '@mediatag/queue';

/** How often a worker process records that it is alive. */
export const HEARTBEAT_MS = 5000;
/** A worker not heard from for this long is taken for gone (three missed heartbeats). */
export const WORKER_STALE_MS = 3 * HEARTBEAT_MS;
// Heartbeats of processes gone for longer are forgotten.
const FORGET_MS = 3_600_000;
// A pause record outlives the pause by this much, so a status between two retries still sees it.
const RECORD_GRACE_MS = 30_000;

/** What one worker process last said about itself. */
export interface WorkerBeat {
  host: string;
  pid: number;
  role: string;
  startedAt: number;
  /** Redis time (ms) of the last heartbeat. */
  seenAt: number;
  /** Its transcripts AssemblyAI reported `throttled` (queued for want of a slot) in the last 30 s. */
  throttled: number;
}

/** Why a worker stopped sending work somewhere, and who saw it. */
export interface PauseRecord {
  /** When it was first seen in this run of pauses, and last seen (ms since the epoch). */
  since: number;
  at: number;
  /** Until when the worker holds back (ms since the epoch). */
  until: number;
  host: string;
  pid: number;
  reason: string;
  /** `assemblyai` or `gateway` for a rejected key; the model for a gateway wait. */
  api?: string;
  model?: string;
}

/** Everything `mediatag status` reads about the workers of one deployment. */
export interface HealthReport {
  /** Redis time (ms) when read: heartbeats are compared with it, not with this machine's clock. */
  now: number;
  workers: WorkerBeat[];
  keyRejected: PauseRecord | null;
  gatewayWait: PauseRecord | null;
}

// Records a heartbeat at Redis time and forgets processes silent for FORGET_MS.
const BEAT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], 0, now - tonumber(ARGV[3]))
for _, id in ipairs(gone) do redis.call('HDEL', KEYS[2], id) end
if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)) end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return now`;

const GONE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', now - tonumber(ARGV[2]), ARGV[1])`;

/**
 * What a worker process tells `mediatag status`: a heartbeat, and the pauses it is in (a
 * rejected API key, a wait for the gateway's per-model limit). Kept in Redis under the
 * deployment's key prefix, each with a TTL, so a record ends by itself when nobody renews it.
 */
export class WorkerHealth {
  readonly host = hostname();
  readonly pid = process.pid;
  // A record another run left behind is cleared by the first success seen here.
  private keyMayBeRejected = true;
  private lastGatewayWrite = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: HealthKeys,
    private readonly log: Logger,
  ) {}

  /** Records that this process is alive, with its role and what it sees of AssemblyAI's queue. */
  async beat(role: string, startedAt: number, throttled: number): Promise<void> {
    const id = `${this.host}:${this.pid}`;
    const details = JSON.stringify({ host: this.host, pid: this.pid, role, startedAt, throttled });
    await this.redis.eval(BEAT, 2, this.keys.seen, this.keys.workers, id, details, String(FORGET_MS));
  }

  /**
   * On a clean shutdown: dates the last heartbeat back past WORKER_STALE_MS, so status stops
   * counting this process at once but can still say when a worker was last seen.
   */
  async gone(): Promise<void> {
    await this.redis.eval(GONE, 1, this.keys.seen, `${this.host}:${this.pid}`, String(WORKER_STALE_MS));
  }

  /** AssemblyAI or the gateway answered 401: recorded until `pauseMs` plus a margin pass without another. */
  async keyRejected(api: 'assemblyai' | 'gateway', reason: string, pauseMs: number): Promise<void> {
    this.keyMayBeRejected = true;
    await this.record(this.keys.keyRejected, { api, reason }, pauseMs);
  }

  /** A request with the key succeeded: a rejected-key record no longer holds. */
  async keyAccepted(): Promise<void> {
    if (!this.keyMayBeRejected) return;
    this.keyMayBeRejected = false;
    await this.redis.del(this.keys.keyRejected);
  }

  /** Tagging waits `waitMs` for the gateway's per-model budget (or its 429). Written at most once a second. */
  async gatewayWait(model: string, waitMs: number, reason: string): Promise<void> {
    const now = Date.now();
    if (now - this.lastGatewayWrite < 1000) return;
    this.lastGatewayWrite = now;
    await this.record(this.keys.gatewayWait, { model, reason }, waitMs);
  }

  /** Like the method it wraps, but a Redis hiccup is logged, never turned into a failed job. */
  quietly(write: Promise<void>): Promise<void> {
    return write.catch((err: unknown) =>
      this.log.warn({ err: toError(err).message }, 'could not record worker health'),
    );
  }

  private async record(key: string, fields: Partial<PauseRecord>, pauseMs: number): Promise<void> {
    const now = Date.now();
    const previous = parse(await this.redis.get(key));
    const record: PauseRecord = {
      since: previous?.since ?? now,
      at: now,
      until: now + pauseMs,
      host: this.host,
      pid: this.pid,
      reason: '',
      ...fields,
    };
    await this.redis.set(key, JSON.stringify(record), 'PX', Math.ceil(pauseMs) + RECORD_GRACE_MS);
  }
}

function parse(text: string | null): PauseRecord | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as PauseRecord;
  } catch {
    return null;
  }
}

/** Reads the heartbeats and pause records of one deployment (`redisKeys(QUEUE_PREFIX).health`). */
export async function readHealth(redis: RedisClient, keys: HealthKeys): Promise<HealthReport> {
  const [sec, micro] = await redis.time();
  const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
  const [seen, beats, auth, gateway] = await Promise.all([
    redis.zrange(keys.seen, '0', '-1', 'WITHSCORES'),
    redis.hgetall(keys.workers),
    redis.get(keys.keyRejected),
    redis.get(keys.gatewayWait),
  ]);
  const workers: WorkerBeat[] = [];
  for (let i = 0; i < seen.length; i += 2) {
    const id = seen[i] as string;
    const details = beats[id];
    if (!details) continue;
    try {
      workers.push({ ...(JSON.parse(details) as Omit<WorkerBeat, 'seenAt'>), seenAt: Number(seen[i + 1]) });
    } catch {
      // A malformed entry is someone else's key; ignore it.
    }
  }
  return { now, workers, keyRejected: parse(auth), gatewayWait: parse(gateway) };
}
