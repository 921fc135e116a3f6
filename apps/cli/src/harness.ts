// Test harness for end-to-end runs: a database of its own, an in-process emulator, a random
// queue prefix, and workers either in this process or as real `mediatag worker` processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { cliEnvSchema, isClusterUrl, parseEnv } from '@mediatag/config';
import { batchProgress, type Progress } from '@mediatag/db';
import { createTestDatabase, type TestDatabase } from '@mediatag/db/testing';
import { type Emulator, type EmulatorOverrides, startEmulator } from '@mediatag/emulator';
import { createLogger } from '@mediatag/logger';
import { createWorkerDeps, type StartOptions, startWorkers, type WorkerHandle } from '@mediatag/pipeline';
import { createRedis, masters, type RedisClient, redisKeys } from '@mediatag/queue';
import { type CliRun, runCli } from './testing.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const BIN = new URL('../bin/mediatag.js', import.meta.url).pathname;

/** A running end-to-end setup. */
export interface Harness {
  env: Record<string, string>;
  db: TestDatabase;
  emulator: Emulator;
  prefix: string;
  cli(argv: string[], stdin?: string): Promise<CliRun>;
  /** Workers in this process; stopped by close(). */
  startWorkers(options?: Partial<StartOptions>): Promise<WorkerHandle>;
  /** `mediatag worker all` as a separate process (`args` added to its command line). */
  spawnWorker(extraEnv?: Record<string, string>, args?: string[]): ChildProcess;
  progress(batch: string): Promise<Progress>;
  waitFinal(batch: string, timeoutMs?: number): Promise<Progress>;
  /** Deletes every Redis key of this run at once: Redis "lost its data". */
  flushRedis(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a harness; `env` overrides the defaults (fast polling, generous budgets). `redisUrl`
 * (default the local Redis) may name a cluster; the prefix is then a {hash tag}.
 */
export async function startHarness(
  options: { emulator?: EmulatorOverrides; env?: Record<string, string>; redisUrl?: string } = {},
): Promise<Harness> {
  const db = await createTestDatabase();
  const emulator = await startEmulator({
    timeScale: 2,
    gateway: { requestsPerMinute: 1_000_000 },
    ...options.emulator,
  });
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const name = `mt-test-${randomBytes(4).toString('hex')}`;
  const prefix = isClusterUrl(redisUrl) ? `{${name}}` : name;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    ASSEMBLYAI_BASE_URL: emulator.url,
    LLM_GATEWAY_URL: emulator.url,
    ASSEMBLYAI_API_KEY: 'emulator-key',
    POLL_MIN_MS: '10',
    POLL_MAX_MS: '300',
    // The completion sweep stays on, as by default, at the pace of the fast checks above.
    POLL_SWEEP_MS: '100',
    ASSEMBLYAI_RATE_LIMIT: '1000000/300',
    LLM_RATE_LIMIT: '1000000/60',
    JOB_LOCK_MS: '2000',
    // The end-to-end tests written before batched tagging assert one request per file; the
    // batched path has its own tests (batched.test.ts), which set TAG_BATCH_SIZE themselves.
    TAG_BATCH_SIZE: '1',
    // Likewise they assert at most MAX_IN_FLIGHT open at the emulator: no reserve beyond it.
    IN_FLIGHT_RESERVE: '0',
    // Test files run in parallel against one Postgres (max_connections 100).
    DATABASE_POOL_SIZE: '6',
    LOG_LEVEL: 'silent',
    ...options.env,
  };
  const redis = createRedis(redisUrl, 'worker');
  // A cluster's masters are known once connected (deleteKeys visits each).
  await redis.connect();
  const handles: { close(): Promise<void> }[] = [];
  const children: ChildProcess[] = [];
  const progress = async (batch: string) => {
    const [p] = await batchProgress(db.db, batch);
    if (!p) throw new Error(`no batch ${batch}`);
    return p;
  };
  // Atomic like FLUSHALL, but only this run's keys (other test files share the server).
  const flushRedis = () => deleteKeys(redis, redisKeys(prefix).all);
  return {
    env,
    db,
    emulator,
    prefix,
    cli: (argv, stdin) => runCli(argv, env, stdin),
    async startWorkers(start = {}) {
      const parsed = parseEnv(cliEnvSchema, env);
      const deps = await createWorkerDeps(parsed, createLogger({ level: parsed.LOG_LEVEL }));
      const handle = startWorkers(deps, { role: 'all', concurrency: 20, redisCheckMs: 200, ...start });
      handles.push({
        async close() {
          await handle.close(5000);
          await deps.close();
        },
      });
      return handle;
    },
    spawnWorker(extraEnv = {}, args = []) {
      const child = spawn(process.execPath, [BIN, 'worker', 'all', '--concurrency', '20', ...args], {
        env: { ...env, ...extraEnv, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      return child;
    },
    progress,
    async waitFinal(batch, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const p = await progress(batch);
        if (p.final >= p.total) return p;
        if (Date.now() > deadline)
          throw new Error(`batch ${batch} not final after ${timeoutMs} ms: ${JSON.stringify(p)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    flushRedis,
    async close() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      for (const h of handles) await h.close();
      await flushRedis();
      redis.disconnect();
      await emulator.close();
      await db.drop();
    },
  };
}

/** Sample URLs made distinct by a query string, so each is its own media file. */
export function sampleCopies(emulatorUrl: string, ids: string[], copies: number): string[] {
  const urls: string[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const id of ids) urls.push(`${emulatorUrl}/samples/${id}.mp3?copy=${copy}`);
  }
  return urls;
}

/**
 * Deletes every key matching `pattern` in one atomic step per server (KEYS inside a script);
 * on a cluster the script runs on each master, since each holds only its own slots' keys.
 */
export async function deleteKeys(redis: RedisClient, pattern: string): Promise<number> {
  if (redis.status === 'wait') await redis.connect();
  const counts = await Promise.all(
    masters(redis).map((node) =>
      node.eval(
        `local keys = redis.call('KEYS', ARGV[1])
         for i = 1, #keys, 5000 do redis.call('DEL', unpack(keys, i, math.min(i + 4999, #keys))) end
         return #keys`,
        0,
        pattern,
      ),
    ),
  );
  return counts.reduce<number>((sum, n) => sum + Number(n), 0);
}

/** A port nobody listens on right now (for a server whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
