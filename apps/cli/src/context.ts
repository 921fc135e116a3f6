import type { AssemblyAIClient } from '@mediatag/assemblyai';
import { type CliEnv, ConfigError, cliEnvSchema, parseEnv } from '@mediatag/config';
import { checkPostgres, createDb, createPool, type Db } from '@mediatag/db';
import { createLogger, type Logger } from '@mediatag/logger';
import type { Queues, RedisClient } from '@mediatag/queue';
// The settings module only: the AWS SDK loads when an s3:// source is used.
import { s3Secrets } from '@mediatag/s3/settings';
import { type Io, writeLine } from './io.ts';

/**
 * What a command needs, opened on first use so `mediatag taxonomy list` never touches Redis
 * and `mediatag emulator` touches neither. Config is parsed once here, in the entry point.
 * The queue and AssemblyAI clients are also imported on first use: BullMQ alone takes longer
 * to load than a `status` needs to answer.
 */
export class Context {
  readonly log: Logger;
  private pool?: ReturnType<typeof createPool>;
  private database?: Db;
  private redisConn?: RedisClient;
  private queueSet?: Queues;
  private aai?: AssemblyAIClient;

  constructor(
    readonly env: CliEnv,
    readonly io: Io,
    log?: Logger,
  ) {
    this.log =
      log ??
      createLogger({
        level: env.LOG_LEVEL,
        pretty: env.LOG_PRETTY,
        secrets: [
          env.ASSEMBLYAI_API_KEY,
          env.LLM_API_KEY,
          env.WEBHOOK_SECRET,
          env.DASHBOARD_PASSWORD,
          env.METRICS_TOKEN,
          ...s3Secrets(env),
        ].filter((s): s is string => typeof s === 'string'),
      });
  }

  /** Parses the environment and builds a context. */
  static fromEnv(rawEnv: Record<string, string | undefined>, io: Io): Context {
    return new Context(parseEnv(cliEnvSchema, rawEnv), io);
  }

  /** Writes a line of command output to stdout. */
  out(line = ''): void {
    writeLine(this.io.stdout, line);
  }

  /** Writes a line for the user to stderr (progress, warnings). */
  err(line = ''): void {
    writeLine(this.io.stderr, line);
  }

  /** The Postgres handle, checked once. */
  async db(): Promise<Db> {
    if (!this.database) {
      // Commands run one statement at a time; a small pool leaves connections for the workers.
      this.pool = createPool(this.env.DATABASE_URL, { max: 4, applicationName: 'mediatag-cli' });
      await checkPostgres(this.pool, this.env.DATABASE_URL);
      this.database = createDb(this.pool);
    }
    return this.database;
  }

  /** The producer-side Redis connection (fails fast), checked once. */
  async redis(): Promise<RedisClient> {
    if (!this.redisConn) {
      const { checkRedis, createRedis } = await import('@mediatag/queue');
      this.redisConn = createRedis(this.env.REDIS_URL, 'producer');
      const { evictionWarning } = await checkRedis(this.redisConn, this.env.REDIS_URL);
      if (evictionWarning) this.log.warn({}, evictionWarning);
    }
    return this.redisConn;
  }

  /**
   * Opens Postgres and, for a command that adds jobs, Redis, before the command's first write:
   * a command that cannot reach either fails having changed nothing.
   */
  async connect(needs: { redis: boolean }): Promise<Db> {
    const db = await this.db();
    if (needs.redis) await this.queues();
    return db;
  }

  /** The queues under QUEUE_PREFIX. */
  async queues(): Promise<Queues> {
    if (!this.queueSet) {
      const redis = await this.redis();
      const { createQueues } = await import('@mediatag/queue');
      this.queueSet = createQueues(redis, this.env.QUEUE_PREFIX);
    }
    return this.queueSet;
  }

  /** The AssemblyAI client (uploads); refuses the real API without a key. */
  async assemblyai(): Promise<AssemblyAIClient> {
    if (!this.aai) {
      const host = new URL(this.env.ASSEMBLYAI_BASE_URL).hostname;
      if (!this.env.ASSEMBLYAI_API_KEY && (host === 'assemblyai.com' || host.endsWith('.assemblyai.com'))) {
        throw new ConfigError(
          `invalid environment: ASSEMBLYAI_API_KEY: required to upload to ${this.env.ASSEMBLYAI_BASE_URL}`,
        );
      }
      const { AssemblyAIClient } = await import('@mediatag/assemblyai');
      this.aai = new AssemblyAIClient({
        baseUrl: this.env.ASSEMBLYAI_BASE_URL,
        // Only reached for a non-AssemblyAI host (e.g. the emulator), which decides itself.
        apiKey: this.env.ASSEMBLYAI_API_KEY ?? 'no-api-key-configured',
        logger: this.log.child({ module: 'http' }),
      });
    }
    return this.aai;
  }

  /** Closes whatever was opened. */
  async close(): Promise<void> {
    await this.aai?.close();
    await this.queueSet?.close();
    this.redisConn?.disconnect();
    await this.pool?.end();
  }
}
