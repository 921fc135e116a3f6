import type { Db } from '@mediatag/db';
import { toError } from '@mediatag/errors';
import type { Logger } from '@mediatag/logger';
import type { RedisClient } from '@mediatag/queue';
import type { RequestHandler } from 'express';
import { TimeoutError, withTimeout } from './timeout.ts';

/**
 * Per-dependency budget: a load balancer's health check must get an answer, not hang. Short,
 * because the probes are cheap (SELECT 1 on a pool of its own, PING) and only a stuck
 * dependency takes longer.
 */
const PROBE_MS = 1000;

type ProbeResult = 'ok' | 'timeout' | 'error';

async function probe(name: string, check: () => Promise<unknown>, log: Logger): Promise<ProbeResult> {
  try {
    await withTimeout(check(), PROBE_MS, name);
    return 'ok';
  } catch (error) {
    const timedOut = error instanceof TimeoutError;
    log.warn({ dependency: name, err: toError(error).message }, 'health check failed');
    return timedOut ? 'timeout' : 'error';
  }
}

/** GET /healthz: 200 when Postgres answers SELECT 1 and Redis answers PING, else 503 naming the failure. */
export function healthHandler(deps: {
  pool: Db['$client'];
  redis: RedisClient;
  log: Logger;
}): RequestHandler {
  return async (_req, res) => {
    const [postgres, redis] = await Promise.all([
      probe('postgres', () => deps.pool.query('SELECT 1'), deps.log),
      probe('redis', () => deps.redis.ping(), deps.log),
    ]);
    const ok = postgres === 'ok' && redis === 'ok';
    res.status(ok ? 200 : 503).json({ ok, postgres, redis });
  };
}
