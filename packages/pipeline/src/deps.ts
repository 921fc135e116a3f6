import { AssemblyAIClient, type RequestMetrics } from '@mediatag/assemblyai';
import type { WorkerEnv } from '@mediatag/config';
import { checkPostgres, createDb, createPool, type Db } from '@mediatag/db';
import { GatewayClient } from '@mediatag/gateway';
import type { Logger } from '@mediatag/logger';
import { type Api, MetricsRecorder } from '@mediatag/metrics';
import {
  checkRedis,
  createQueues,
  createRedis,
  type Queues,
  type RedisClient,
  type RedisKeys,
  redisKeys,
} from '@mediatag/queue';
import { type AudioUrls, s3AudioUrls, s3SettingsFromEnv } from '@mediatag/s3';
import { AnsweredHere } from './answered.ts';
import { InFlightBudget, RateBudget } from './budget.ts';
import { CapGate } from './cap.ts';
import { WorkerHealth } from './health.ts';
import { gatewayAuth, type PipelineSettings, settingsFromEnv } from './settings.ts';

// Sent when no key is configured and none is needed (reconcile, or a local emulator that
// accepts anything); a real API answers it with 401 and the workers pause, saying why.
const NO_KEY = 'no-api-key-configured';

/** What the processors work with; tests build one around a test database and the emulator. */
export interface WorkerDeps {
  db: Db;
  redis: RedisClient;
  queues: Queues;
  aai: AssemblyAIClient;
  gateway: GatewayClient;
  inFlight: InFlightBudget;
  apiRate: RateBudget;
  /** The gateway budget of the primary model (settings.model). */
  llmRate: RateBudget;
  /** One gateway budget per model of settings.models: the limit is per model. */
  llmRates: Map<string, RateBudget>;
  log: Logger;
  settings: PipelineSettings;
  /** This deployment's Redis keys (budgets, locks, health), beside BullMQ's. */
  keys: RedisKeys;
  /** Heartbeat and pause records that `mediatag status` reads. */
  health: WorkerHealth;
  /** Per-batch spending caps, checked before a submission. */
  caps: CapGate;
  /** What AssemblyAI is sent for a stored URL: `s3://` identities are presigned at submission. */
  audio: AudioUrls;
  /** Tag results this process made final: their queued jobs end without a lookup. */
  answered: AnsweredHere;
}

/** Builds the budgets and clients around already-open connections. */
export function assembleDeps(parts: {
  db: Db;
  redis: RedisClient;
  prefix: string;
  log: Logger;
  settings: PipelineSettings;
  aai: AssemblyAIClient;
  gateway: GatewayClient;
  audio?: AudioUrls;
}): WorkerDeps {
  const keys = redisKeys(parts.prefix);
  const llmRates = new Map(
    parts.settings.models.map((model) => [
      model,
      new RateBudget(parts.redis, keys.llmRate(model), parts.settings.llmRate),
    ]),
  );
  return {
    ...parts,
    queues: createQueues(parts.redis, parts.prefix),
    inFlight: new InFlightBudget(parts.redis, keys.inflight, parts.settings.maxInFlight),
    apiRate: new RateBudget(parts.redis, keys.assemblyaiRate, parts.settings.apiRate),
    llmRate:
      llmRates.get(parts.settings.model) ??
      new RateBudget(parts.redis, keys.llmRate(parts.settings.model), parts.settings.llmRate),
    llmRates,
    keys,
    answered: new AnsweredHere(),
    health: new WorkerHealth(parts.redis, keys.health, parts.log.child({ module: 'health' })),
    caps: new CapGate(parts.db, parts.redis, keys.capFull, {
      pricePerAudioHour: parts.settings.prices.perAudioHour,
      defaultAudioS: parts.settings.estimateAudioS,
    }),
    // Without settings, s3:// files are signed through the SDK's default chain.
    audio: parts.audio ?? s3AudioUrls({ presignExpiresS: 6 * 3600 }),
  };
}

/** Opens Postgres, Redis and the API clients from the environment (checked: one clear line on failure). */
export async function createWorkerDeps(
  env: WorkerEnv,
  log: Logger,
  options: { requireKey?: boolean } = {},
): Promise<WorkerDeps & { close(): Promise<void> }> {
  const settings = settingsFromEnv(env, options);
  // Refused before anything is opened: a foreign gateway without its own key.
  const llmAuth = gatewayAuth(env);
  const pool = createPool(env.DATABASE_URL, {
    max: env.DATABASE_POOL_SIZE,
    applicationName: 'mediatag-worker',
  });
  await checkPostgres(pool, env.DATABASE_URL);
  const redis = createRedis(env.REDIS_URL, 'worker');
  try {
    await checkRedis(redis, env.REDIS_URL);
  } catch (error) {
    await pool.end();
    redis.disconnect();
    throw error;
  }
  const apiKey = env.ASSEMBLYAI_API_KEY ?? NO_KEY;
  const clientLog = log.child({ module: 'http' });
  // Request counts and latencies of this process, summed with every other worker's in Redis
  // for `mediatag serve`'s /metrics.
  const metrics = new MetricsRecorder({
    redis,
    key: redisKeys(env.QUEUE_PREFIX).metrics,
    log: log.child({ module: 'metrics' }),
  });
  const onMetrics = (api: Api) => (info: RequestMetrics) => {
    metrics.observeRequest({ api, ...info });
    if (info.statusCode === 429) metrics.rateLimited(api);
  };
  const aai = new AssemblyAIClient({
    baseUrl: env.ASSEMBLYAI_BASE_URL,
    apiKey,
    logger: clientLog,
    onMetrics: onMetrics('assemblyai'),
  });
  const gateway = new GatewayClient({
    baseUrl: env.LLM_GATEWAY_URL,
    apiKey: llmAuth.apiKey ?? NO_KEY,
    authScheme: llmAuth.scheme,
    mode: settings.gatewayMode,
    logger: clientLog,
    onMetrics: onMetrics('gateway'),
  });
  metrics.start();
  const deps = assembleDeps({
    db: createDb(pool),
    redis,
    prefix: env.QUEUE_PREFIX,
    log,
    settings,
    aai,
    gateway,
    audio: s3AudioUrls({ ...s3SettingsFromEnv(env), presignExpiresS: env.S3_PRESIGN_EXPIRES_S }),
  });
  return {
    ...deps,
    async close() {
      await deps.queues.close();
      await Promise.allSettled([aai.close(), gateway.close()]);
      await metrics.stop();
      redis.disconnect();
      await pool.end();
    },
  };
}
