import { AssemblyAIClient } from '@mediatag/assemblyai';
import type { WorkerEnv } from '@mediatag/config';
import { checkPostgres, createDb, createPool, type Db } from '@mediatag/db';
import { GatewayClient } from '@mediatag/gateway';
import type { Logger } from '@mediatag/logger';
import { checkRedis, createQueues, createRedis, type Queues } from '@mediatag/queue';
import type { Redis } from 'ioredis';
import { InFlightBudget, RateBudget } from './budget.ts';
import { type PipelineSettings, settingsFromEnv } from './settings.ts';

/** What the processors work with; tests build one around a test database and the emulator. */
export interface WorkerDeps {
  db: Db;
  redis: Redis;
  queues: Queues;
  aai: AssemblyAIClient;
  gateway: GatewayClient;
  inFlight: InFlightBudget;
  apiRate: RateBudget;
  llmRate: RateBudget;
  log: Logger;
  settings: PipelineSettings;
  /** Prefix of this deployment's own Redis keys (budgets, locks), beside BullMQ's. */
  keyPrefix: string;
}

/** Builds the budgets and clients around already-open connections. */
export function assembleDeps(parts: {
  db: Db;
  redis: Redis;
  prefix: string;
  log: Logger;
  settings: PipelineSettings;
  aai: AssemblyAIClient;
  gateway: GatewayClient;
}): WorkerDeps {
  const keyPrefix = `${parts.prefix}:mediatag`;
  return {
    ...parts,
    queues: createQueues(parts.redis, parts.prefix),
    inFlight: new InFlightBudget(parts.redis, `${keyPrefix}:inflight`, parts.settings.maxInFlight),
    apiRate: new RateBudget(parts.redis, `${keyPrefix}:rate:assemblyai`, parts.settings.apiRate),
    llmRate: new RateBudget(
      parts.redis,
      `${keyPrefix}:rate:llm:${parts.settings.model}`,
      parts.settings.llmRate,
    ),
    keyPrefix,
  };
}

/** Opens Postgres, Redis and the API clients from the environment (checked: one clear line on failure). */
export async function createWorkerDeps(
  env: WorkerEnv,
  log: Logger,
  options: { requireKey?: boolean } = {},
): Promise<WorkerDeps & { close(): Promise<void> }> {
  const settings = settingsFromEnv(env, options);
  const pool = createPool(env.DATABASE_URL, { max: 20, applicationName: 'mediatag-worker' });
  await checkPostgres(pool, env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL, 'worker');
  try {
    await checkRedis(redis, env.REDIS_URL);
  } catch (error) {
    await pool.end();
    redis.disconnect();
    throw error;
  }
  const apiKey = env.ASSEMBLYAI_API_KEY ?? '';
  const clientLog = log.child({ module: 'http' });
  const aai = new AssemblyAIClient({ baseUrl: env.ASSEMBLYAI_BASE_URL, apiKey, logger: clientLog });
  const gateway = new GatewayClient({
    baseUrl: env.LLM_GATEWAY_URL,
    apiKey,
    mode: settings.gatewayMode,
    logger: clientLog,
  });
  const deps = assembleDeps({
    db: createDb(pool),
    redis,
    prefix: env.QUEUE_PREFIX,
    log,
    settings,
    aai,
    gateway,
  });
  return {
    ...deps,
    async close() {
      await deps.queues.close();
      await Promise.allSettled([aai.close(), gateway.close()]);
      redis.disconnect();
      await pool.end();
    },
  };
}
