import type { RedisClient } from '@mediatag/queue';

// Redis TIME, not each machine's clock: every worker on every host sees the same "now".
const NOW_MS = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// GCRA (one key per budget): takes one request token and returns 0, or takes nothing and
// returns the ms until one is allowed. Shared by the two scripts below.
const GCRA_TAKE = `${NOW_MS}
local function gcra_take(key, interval, burst)
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local newTat = tat + interval
  local allowAt = newTat - burst * interval
  if allowAt > now then return math.ceil(allowAt - now) end
  redis.call('SET', key, tostring(newTat), 'PX', math.ceil(newTat - now) + 1000)
  return 0
end`;

// Takes the file's slot (if it has none) and one request token, or neither: -1 = no slot
// free, > 0 = ms until a request is allowed, 0 = both taken. One round trip per submission.
const ACQUIRE = `${GCRA_TAKE}
local member = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not member and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
if KEYS[2] then
  local wait = gcra_take(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
  if wait > 0 then return wait end
end
if not member then redis.call('ZADD', KEYS[1], now, ARGV[1]) end
return 0`;

// Frees a slot and, when given, deletes the submit queue's rate-limit key and sets its
// marker, so a queue that paused for want of a slot resumes now rather than when its pause
// ends: BullMQ hands a rate-limited job of known length (a prioritised job) back without the
// marker that wakes blocked workers, which then sleep up to their drain delay (5 s). On a
// Redis Cluster every KEYS[] of a script must be in one slot: the {hash tag} of
// QUEUE_PREFIX sees to that.
const RELEASE = `redis.call('ZREM', KEYS[1], ARGV[1])
if KEYS[2] then
  redis.call('DEL', KEYS[2])
  redis.call('ZADD', KEYS[3], 0, '0')
end
return 1`;

/**
 * MAX_IN_FLIGHT across every worker process: a Redis sorted set of file ids that are
 * submitted and not finished. Members are file ids, so acquiring or releasing twice for the
 * same file is harmless, and `reconcile` can rebuild the set from Postgres after a crash or
 * a lost Redis.
 */
export class InFlightBudget {
  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    readonly max: number,
  ) {}

  /** Takes a slot for the file; false when all are taken. */
  async acquire(fileId: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE, 1, this.key, String(fileId), String(this.max))) === 0;
  }

  /**
   * Takes a slot for the file and one token of `rate` together, or neither: 'full' when no
   * slot is free (of `max`, default the budget's own; the slot reserve raises it), a number of ms when the request budget says wait, 'ok' when both are held.
   */
  async acquireWithRate(fileId: number, rate: RateBudget, max = this.max): Promise<'ok' | 'full' | number> {
    const result = Number(
      await this.redis.eval(ACQUIRE, 2, this.key, rate.key, String(fileId), String(max), ...rate.gcraArgs()),
    );
    return result === 0 ? 'ok' : result < 0 ? 'full' : result;
  }

  /**
   * Frees the file's slot (no-op when it holds none). With `wake` (the submit queue's
   * limiter and marker keys), the queue's pause ends and its workers wake in the same step.
   */
  async release(fileId: number, wake?: { limiter: string; marker: string }): Promise<void> {
    if (wake === undefined) await this.redis.eval(RELEASE, 1, this.key, String(fileId));
    else await this.redis.eval(RELEASE, 3, this.key, wake.limiter, wake.marker, String(fileId));
  }

  /** Slots in use. */
  async count(): Promise<number> {
    return this.redis.zcard(this.key);
  }

  /** Redis time (ms) the oldest slot in use was taken (≈ its submission), or undefined when none is. */
  async oldest(): Promise<number | undefined> {
    // zrange, not call('ZRANGE'): ioredis flattens the member/score pairs only for the former.
    const [, score] = await this.redis.zrange(this.key, '0', '0', 'WITHSCORES');
    return score === undefined ? undefined : Number(score);
  }

  /**
   * Makes the set match Postgres: adds files that are in flight there, drops members that
   * are not, unless they were taken within `graceMs` (a submission may be under way).
   */
  async rebuild(inFlight: number[], graceMs: number): Promise<{ added: number; removed: number }> {
    const truth = new Set(inFlight.map(String));
    const [sec, micro] = await this.redis.time();
    const cutoff = Number(sec) * 1000 + Math.floor(Number(micro) / 1000) - graceMs;
    // Flat [member, score, …]: a raw call('ZRANGE') answers nested pairs over RESP3, which
    // made every member look missing and re-added it with the score "now".
    const members = await this.redis.zrange(this.key, '0', '-1', 'WITHSCORES');
    const stale: string[] = [];
    const present = new Set<string>();
    for (let i = 0; i < members.length; i += 2) {
      const id = members[i] as string;
      present.add(id);
      if (!truth.has(id) && Number(members[i + 1]) < cutoff) stale.push(id);
    }
    const missing = [...truth].filter((id) => !present.has(id));
    if (stale.length) await this.redis.zrem(this.key, ...stale);
    if (missing.length) {
      const args = missing.flatMap((id) => [String(cutoff + graceMs), id]);
      await this.redis.zadd(this.key, ...args);
    }
    return { added: missing.length, removed: stale.length };
  }
}

const GCRA = `${GCRA_TAKE}
return gcra_take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))`;

/**
 * A request budget shared by all processes (GCRA: one Redis key, O(1) per request). A
 * burst of 5% of the window lets idle capacity be used at once while any window of the
 * configured length still stays within 105% of the budget (so 19,000/300 s stays under
 * AssemblyAI's 20,000).
 */
export class RateBudget {
  private readonly intervalMs: number;
  private readonly burst: number;

  constructor(
    private readonly redis: RedisClient,
    readonly key: string,
    limit: { requests: number; windowMs: number },
  ) {
    this.intervalMs = limit.windowMs / limit.requests;
    this.burst = Math.max(1, Math.floor(limit.requests * 0.05));
  }

  /** The GCRA parameters, for scripts that take a token together with something else. */
  gcraArgs(): [string, string] {
    return [String(this.intervalMs), String(this.burst)];
  }

  /** Takes one request if allowed now (returns 0); otherwise returns ms to wait and takes nothing. */
  async reserve(): Promise<number> {
    return Number(await this.redis.eval(GCRA, 1, this.key, String(this.intervalMs), String(this.burst)));
  }

  /** Waits (up to `maxWaitMs` at a time) until a request is allowed; returns the wait left when over it. */
  async take(maxWaitMs: number): Promise<number> {
    for (;;) {
      const wait = await this.reserve();
      if (wait === 0) return 0;
      if (wait > maxWaitMs) return wait;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
