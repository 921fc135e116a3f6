import { z } from 'zod';
import { hashTagOf, isClusterUrl, parseRedisUrl } from './redis-url.ts';

/** A URL with one of the given protocols; the message never echoes the value (it may hold a password). */
function urlWith(protocols: string[], what: string) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${what} URL (${protocols.map((p) => `${p}//`).join(' or ')})` },
  );
}

const httpUrl = urlWith(['http:', 'https:'], 'http(s)');

/** A positive integer given as text; rejects "12abc" and "1e3" instead of guessing. */
function positiveInt(defaultValue: number) {
  return z
    .string()
    .regex(/^\d+$/, { message: 'must be a positive integer' })
    .transform(Number)
    .refine((n) => n > 0 && Number.isSafeInteger(n), { message: 'must be a positive integer' })
    .prefault(String(defaultValue));
}

/** An integer ≥ 0 given as text (0 usually means "off" or "no limit"; the variable says which). */
function nonNegativeInt(defaultValue: number) {
  return z
    .string()
    .regex(/^\d+$/, { message: 'must be an integer ≥ 0' })
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), { message: 'must be an integer ≥ 0' })
    .prefault(String(defaultValue));
}

/** A comma-separated list of non-empty names. */
function nameList(defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
}

/** "REQUESTS/SECONDS", e.g. "19000/300": a rate budget shared by every worker through Redis. */
function rateLimit(defaultValue: string) {
  return z
    .string()
    .regex(/^\d+\/\d+$/, { message: 'must look like REQUESTS/SECONDS, e.g. 19000/300' })
    .transform((v) => {
      const [requests, seconds] = v.split('/').map(Number) as [number, number];
      return { requests, windowMs: seconds * 1000 };
    })
    .refine((r) => r.requests > 0 && r.windowMs > 0, { message: 'needs positive numbers' })
    .prefault(defaultValue);
}

/** A number ≥ 0 given as text, e.g. a price. */
function nonNegativeNumber(defaultValue: number) {
  return z
    .string()
    .regex(/^\d+(\.\d+)?$/, { message: 'must be a number ≥ 0' })
    .transform(Number)
    .prefault(String(defaultValue));
}

const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'], { message: 'must be 1/0, true/false or yes/no' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** Variables every program reads: where the state lives and how it logs. */
export const baseEnv = {
  DATABASE_URL: urlWith(['postgres:', 'postgresql:'], 'postgres').default(
    'postgres://postgres@127.0.0.1:5432/mediatag',
  ),
  // One Redis (redis:// or rediss://) or a Redis Cluster by its seed nodes
  // (redis+cluster://host:port,host:port; rediss+cluster:// for TLS).
  REDIS_URL: z
    .string()
    .refine((value) => parseRedisUrl(value) !== undefined, {
      message:
        'must be a redis URL (redis:// or rediss://) or a cluster URL (redis+cluster://host:port,host:port)',
    })
    .default('redis://127.0.0.1:6379'),
  // Postgres connections per worker or serve process (several processes share the server's max_connections).
  DATABASE_POOL_SIZE: positiveInt(20),
  // Braces only as one Redis Cluster hash tag at the start ({mediatag} or {mediatag}-eu): every
  // key of the deployment then hashes to that tag's slot, so multi-key scripts stay legal.
  QUEUE_PREFIX: z
    .string()
    .regex(/^(?:\{[A-Za-z0-9_-]+\}[A-Za-z0-9_-]*|[A-Za-z0-9_-]+)$/, {
      message:
        'may hold only letters, digits, _ and -, optionally starting with one {hash tag} (e.g. {mediatag})',
    })
    .default('mediatag'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_PRETTY: flag.default(false),
  // Long-running commands (worker, serve, emulator) stop when the process that started them
  // exits; 0 keeps them running orphaned (e.g. under nohup).
  STOP_WITH_PARENT: flag.default(true),
};

/** Variables for programs that talk to AssemblyAI. */
export const apiEnv = {
  ASSEMBLYAI_API_KEY: z.string().min(8, { message: 'is too short to be an API key' }).optional(),
  ASSEMBLYAI_BASE_URL: httpUrl.default('https://api.assemblyai.com'),
  LLM_GATEWAY_URL: httpUrl.default('https://llm-gateway.assemblyai.com'),
  // Key of an OpenAI-compatible endpoint that is not AssemblyAI's (sent as Bearer). The
  // AssemblyAI key never goes to such an endpoint.
  LLM_API_KEY: z.string().min(8, { message: 'is too short to be an API key' }).optional(),
  LLM_MODEL: z.string().min(1).default('claude-sonnet-4-5-20250929'),
  // Several models, comma-separated, each with its own per-model gateway budget. Empty: LLM_MODEL alone.
  LLM_MODELS: nameList(''),
  // 1: spread one tag list over every model of LLM_MODELS (answers may differ by model);
  // 0: each tag list is tagged by one model.
  LLM_SPREAD_MODELS: flag.default(false),
  // Files per gateway request (1 = one request per file with transcript_id, as before batching).
  TAG_BATCH_SIZE: positiveInt(20),
  // Estimated input tokens one batched request may carry; long excerpts make smaller batches.
  TAG_BATCH_MAX_TOKENS: positiveInt(48_000),
  // A batch goes when full or once its oldest file has waited this long (ms).
  TAG_BATCH_WAIT_MS: nonNegativeInt(1500),
  // Token budget of the excerpt a file is tagged by (0 = the whole transcript).
  TAG_EXCERPT_TOKENS: nonNegativeInt(2000),
  // Text kept in Postgres when a transcript completes: excerpt (for tagging), full (plus the
  // whole text, searchable), none (nothing at rest; fetched from AssemblyAI when tagging).
  STORE_TRANSCRIPTS: z.enum(['excerpt', 'full', 'none']).default('excerpt'),
  // Extra submissions allowed beyond MAX_IN_FLIGHT, queued at AssemblyAI so a freed slot is
  // refilled at once: auto (sized from measured detection delay × completion rate) or a number.
  IN_FLIGHT_RESERVE: z
    .string()
    .regex(/^(auto|\d+)$/, { message: 'must be auto or an integer ≥ 0' })
    .default('auto')
    .transform((v) => (v === 'auto' ? ('auto' as const) : Number(v))),
  SPEECH_MODELS: nameList('universal-3-pro').refine((list) => list.length > 0, {
    message: 'must name at least one speech model',
  }),
  MAX_IN_FLIGHT: positiveInt(200),
  WEBHOOK_BASE_URL: httpUrl.optional(),
  // AssemblyAI allows 20,000 requests per 5 minutes per account, all keys together; the
  // default leaves a margin for other clients of the same account.
  ASSEMBLYAI_RATE_LIMIT: rateLimit('19000/300'),
  // Per model; AssemblyAI's paid default is 30+ a minute. Raise it to what your account has.
  LLM_RATE_LIMIT: rateLimit('30/60'),
  // auto: send transcript_id to AssemblyAI's gateway (or the emulator), inline the text elsewhere.
  LLM_MODE: z.enum(['auto', 'transcript_id', 'inline']).default('auto'),
  POLL_MIN_MS: positiveInt(3000),
  POLL_MAX_MS: positiveInt(60_000),
  // Without webhooks: one list of the account's newest transcripts this often finds those that
  // finished (the per-transcript checks become a slow fallback); 0 = off. Ignored with webhooks.
  POLL_SWEEP_MS: nonNegativeInt(2000),
  RECONCILE_INTERVAL_S: positiveInt(300),
  // BullMQ job lock: a job whose worker died is retried once this has passed without renewal.
  JOB_LOCK_MS: positiveInt(30_000),
  // Sent by AssemblyAI with every webhook (header WEBHOOK_AUTH_HEADER); required with WEBHOOK_BASE_URL.
  WEBHOOK_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  WEBHOOK_AUTH_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, { message: 'must be an HTTP header name' })
    .default('x-mediatag-webhook-secret'),
  // Cost estimates (USD). AssemblyAI bills per second of audio; LLM Gateway per token.
  PRICE_PER_AUDIO_HOUR: nonNegativeNumber(0.21),
  LLM_PRICE_INPUT_PER_MTOK: nonNegativeNumber(3),
  LLM_PRICE_OUTPUT_PER_MTOK: nonNegativeNumber(15),
  // Audio seconds a spending cap assumes for a file before its batch has a completed one to go by.
  COST_ESTIMATE_AUDIO_S: positiveInt(1800),
  // Local files uploaded at once by `enqueue PATH`.
  UPLOAD_CONCURRENCY: positiveInt(4),
  // A feed larger than this is refused (a feed that never ends must not fill memory or disk).
  FEED_MAX_BYTES: positiveInt(100 * 1024 * 1024),
  // Lifetime of the presigned GET a worker makes for an s3:// file at submission. AssemblyAI
  // downloads when the job starts, after any wait in the account's queue; SigV4 allows 7 days.
  S3_PRESIGN_EXPIRES_S: positiveInt(6 * 3600).refine((n) => n <= 7 * 24 * 3600, {
    message: 'must be at most 604800 (7 days, the longest a SigV4 URL lives)',
  }),
  // S3-compatible stores (MinIO, Ceph, R2, …). Credentials and region follow the AWS SDK's
  // standard chain; the variables below are read here only so tests can pass them in.
  AWS_ENDPOINT_URL_S3: httpUrl.optional(),
  AWS_ENDPOINT_URL: httpUrl.optional(),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_PROFILE: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
};

/** `mediatag serve`: where it listens, who may read what, and how long a request may last. */
export const serveEnv = {
  PORT: positiveInt(8080),
  HOST: z.string().default('0.0.0.0'),
  // Off a loopback HOST the dashboard needs both credentials, or serve refuses to start.
  DASHBOARD: flag.default(false),
  DASHBOARD_USER: z.string().min(1).optional(),
  DASHBOARD_PASSWORD: z.string().min(8, { message: 'must be at least 8 characters' }).optional(),
  // Set: /metrics requires `Authorization: Bearer <token>`.
  METRICS_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  // /metrics is collected at most once per this many seconds, whatever the number of scrapers.
  METRICS_CACHE_S: positiveInt(15).refine((n) => n >= 10 && n <= 15, { message: 'must be 10 to 15' }),
  // Whole-request deadline (headers, body and answer): a client trickling bytes is cut off.
  REQUEST_DEADLINE_MS: positiveInt(10_000).refine((n) => n >= 1000 && n <= 60_000, {
    message: 'must be 1000 to 60000',
  }),
};

/** Cross-field rules: a webhook URL needs a secret; dashboard credentials come in pairs. */
function checked<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape).superRefine((env: Record<string, unknown>, ctx) => {
    if (env.WEBHOOK_BASE_URL && !env.WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET'],
        message: 'is required when WEBHOOK_BASE_URL is set',
      });
    }
    // BullMQ's scripts and the budgets' scripts touch several keys at once; on a cluster
    // they must share one slot, which only a hash tag in the prefix guarantees.
    if (
      typeof env.REDIS_URL === 'string' &&
      isClusterUrl(env.REDIS_URL) &&
      typeof env.QUEUE_PREFIX === 'string' &&
      hashTagOf(env.QUEUE_PREFIX) === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['QUEUE_PREFIX'],
        message: `must start with a {hash tag} on a Redis Cluster, e.g. QUEUE_PREFIX={${env.QUEUE_PREFIX}}`,
      });
    }
    if (Boolean(env.DASHBOARD_USER) !== Boolean(env.DASHBOARD_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['DASHBOARD_PASSWORD'],
        message: 'DASHBOARD_USER and DASHBOARD_PASSWORD go together',
      });
    }
  });
}

export const cliEnvSchema = checked({ ...baseEnv, ...apiEnv, ...serveEnv });
/** Environment of `mediatag` commands that only touch Postgres and Redis. */
export type CliEnv = z.output<typeof cliEnvSchema>;

export const workerEnvSchema = cliEnvSchema;
/** Environment of the workers. */
export type WorkerEnv = z.output<typeof workerEnvSchema>;

export const serveEnvSchema = cliEnvSchema;
/** Environment of `mediatag serve`. */
export type ServeEnv = z.output<typeof serveEnvSchema>;
