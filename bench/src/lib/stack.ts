// One isolated run of the real system: a fresh database, a random queue prefix, an emulator
// in this process standing in for AssemblyAI, and `mediatag worker` child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { batchProgress, createDb, createPool, type Db, migrate, type Progress } from '@mediatag/db';
import { dropDatabase } from '@mediatag/db/testing';
import { type Emulator, type EmulatorOverrides, startEmulator } from '@mediatag/emulator';
import { createQueues, createRedis, type RedisClient } from '@mediatag/queue';
import type pg from 'pg';
import { BIN, exited, type ProcResult, ROOT, RssWatch, runMediatag, Tail, withTimeout } from './proc.ts';

export const PG_SERVER = 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A `mediatag worker` child process. */
export interface WorkerProc {
  child: ChildProcess;
  pid: number;
  rss: RssWatch;
  tail: Tail;
  ready: Promise<void>;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Cumulative Postgres counters of one database (see `Stack.pgCounters`). */
export interface PgCounters {
  transactions: number;
  mediaFiles: { updates: number; hot: number };
  tagResults: { updates: number; hot: number };
}

export interface StackOptions {
  /** Short name, part of the database name and queue prefix. */
  name: string;
  emulator?: EmulatorOverrides;
  /** mediatag environment overrides (strings, as a user would set them). */
  env?: Record<string, string>;
}

/** Deletes every Redis key under `prefix:` in one atomic script (like FLUSHALL, but only ours). */
export async function deletePrefix(redis: RedisClient, prefix: string): Promise<number> {
  const deleted = await redis.eval(
    `local keys = redis.call('KEYS', ARGV[1])
     for i = 1, #keys, 5000 do redis.call('DEL', unpack(keys, i, math.min(i + 4999, #keys))) end
     return #keys`,
    0,
    `${prefix}:*`,
  );
  return Number(deleted);
}

/** True for errors of a Postgres that is restarting (the error itself or any cause). */
export function isTransientPgError(error: unknown): boolean {
  const transient =
    /terminat|ECONNREFUSED|ECONNRESET|starting up|shutting down|Connection|timeout|connection refused/i;
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: string; message?: string };
    if (code && /^(57P0[1-3]|08\d{3}|ECONNREFUSED|ECONNRESET|EPIPE)$/.test(code)) return true;
    if (message && transient.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The environment a child needs to find node and a temp dir, and nothing of ours. */
function baseProcessEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TERM'];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])));
}

export class Stack {
  /** Extra node flags for worker processes (e.g. --cpu-prof while investigating). */
  static workerNodeArgs: string[] = [];
  /** Stacks not yet closed, so an interrupted run can still clean up. */
  static readonly open = new Set<Stack>();
  readonly workers: WorkerProc[] = [];
  private closed = false;

  private constructor(
    readonly name: string,
    readonly dbName: string,
    readonly dbUrl: string,
    readonly pool: pg.Pool,
    readonly db: Db,
    readonly emulator: Emulator,
    readonly prefix: string,
    readonly redis: RedisClient,
    readonly env: Record<string, string>,
  ) {}

  /** Creates and migrates a database, starts the emulator, picks a queue prefix. */
  static async start(options: StackOptions): Promise<Stack> {
    const id = randomBytes(4).toString('hex');
    const dbName = `mt_bench_${options.name.replace(/\W/g, '_')}_${id}`.toLowerCase().slice(0, 60);
    const dbUrl = `${PG_SERVER}/${dbName}`;
    // The Postgres here is shared (a chaos run may be restarting it): wait out a short outage.
    for (let attempt = 1; ; attempt++) {
      try {
        await migrate(dbUrl);
        break;
      } catch (error) {
        if (attempt >= 20 || !isTransientPgError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    const pool = createPool(dbUrl, { max: 4, applicationName: 'mediatag-bench' });
    const emulator = await startEmulator({ apiKey: 'emulator-key', ...options.emulator });
    const prefix = `mt-bench-${options.name.replace(/[^A-Za-z0-9_-]/g, '-')}-${id}`;
    const redis = createRedis(REDIS_URL, 'worker');
    await redis.connect();
    const env: Record<string, string> = {
      ...baseProcessEnv(),
      DATABASE_URL: dbUrl,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ASSEMBLYAI_BASE_URL: emulator.url,
      LLM_GATEWAY_URL: emulator.url,
      ASSEMBLYAI_API_KEY: 'emulator-key',
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const stack = new Stack(options.name, dbName, dbUrl, pool, createDb(pool), emulator, prefix, redis, env);
    Stack.open.add(stack);
    return stack;
  }

  /** Spawns `mediatag worker ROLE --concurrency N` with this stack's environment. */
  spawnWorker(
    options: { concurrency?: number; role?: string; env?: Record<string, string> } = {},
  ): WorkerProc {
    const child = spawn(
      process.execPath,
      [
        ...Stack.workerNodeArgs,
        BIN,
        'worker',
        options.role ?? 'all',
        '--concurrency',
        String(options.concurrency ?? 20),
      ],
      { cwd: ROOT, env: { ...this.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (child.pid === undefined) throw new Error('could not spawn mediatag worker');
    const tail = new Tail();
    let started = false;
    const ready = new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        tail.push(chunk);
        if (!started && tail.text().includes(': running (concurrency')) {
          started = true;
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        if (!started) reject(new Error(`worker exited (${code ?? signal}) before starting:\n${tail.text()}`));
      });
    });
    ready.catch(() => {});
    const proc: WorkerProc = {
      child,
      pid: child.pid,
      rss: new RssWatch(child.pid),
      tail,
      ready,
      exit: exited(child),
    };
    this.workers.push(proc);
    return proc;
  }

  /** Stops a worker: SIGTERM (graceful, bounded) or SIGKILL. */
  async stopWorker(
    worker: WorkerProc,
    signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM',
    graceMs = 40_000,
  ): Promise<void> {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill(signal);
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), graceMs).unref();
    await worker.exit;
    clearTimeout(timer);
    worker.rss.stop();
  }

  /** Workers still running. */
  alive(): WorkerProc[] {
    return this.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  }

  /** Runs a `mediatag` command with this stack's environment. */
  cli(argv: string[], options: { stdinFile?: string; measureRss?: boolean; timeoutMs?: number } = {}) {
    return runMediatag(argv, { env: this.env, ...options });
  }

  /** `mediatag enqueue FILE --batch NAME`; throws unless it exits 0. */
  async enqueue(file: string, batch: string, options: { taxonomy?: string; measureRss?: boolean } = {}) {
    const argv = ['enqueue', file, '--batch', batch];
    if (options.taxonomy) argv.push('--taxonomy', options.taxonomy);
    const run = await this.cli(argv, { measureRss: options.measureRss ?? false, timeoutMs: 300_000 });
    if (run.code !== 0)
      throw new Error(`enqueue exited ${run.code ?? run.signal}: ${run.stderr.slice(-2000)}`);
    return run;
  }

  /** Pauses (or resumes) the transcribe queue, so workers can be warm before the clock starts. */
  async pauseSubmissions(paused: boolean): Promise<void> {
    const queues = createQueues(this.redis, this.prefix);
    try {
      if (paused) await queues.transcribe.pause();
      else await queues.transcribe.resume();
    } finally {
      await queues.close();
    }
  }

  /** Jobs waiting, delayed or running in one of this stack's queues. */
  async jobCount(queue: 'transcribe' | 'poll' | 'tag'): Promise<number> {
    const queues = createQueues(this.redis, this.prefix);
    try {
      return await queues[queue].getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active');
    } finally {
      await queues.close();
    }
  }

  async progress(batch: string): Promise<Progress> {
    const [p] = await batchProgress(this.db, batch);
    if (!p) throw new Error(`no batch ${batch}`);
    return p;
  }

  /**
   * Files final in this stack's database, by two single-table counts (valid because a bench
   * stack holds one batch and one taxonomy). `batchProgress` aggregates the tagged_files view
   * and costs ~80 ms of Postgres CPU at 20,000 files: polled every 250 ms it would take a third
   * of a core from the system being measured, so it only confirms the end.
   */
  async finalCount(): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT (SELECT count(*) FROM tag_results WHERE status IN ('tagged', 'unmatched', 'error'))
            + (SELECT count(*) FROM media_files WHERE transcript_status = 'error') AS n`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Postgres's own counters for this stack's database: transactions (every statement of the
   * pipeline autocommits, so this counts its statements) and row updates of the two hot tables,
   * with how many were HOT (no index touched). A backend reports its counters when it goes idle
   * or exits, so read them after stopping the workers.
   */
  async pgCounters(): Promise<PgCounters> {
    const { rows } = await this.pool.query(
      `SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()) AS xacts,
              coalesce(sum(n_tup_upd) FILTER (WHERE relname = 'media_files'), 0) AS media_upd,
              coalesce(sum(n_tup_hot_upd) FILTER (WHERE relname = 'media_files'), 0) AS media_hot,
              coalesce(sum(n_tup_upd) FILTER (WHERE relname = 'tag_results'), 0) AS tag_upd,
              coalesce(sum(n_tup_hot_upd) FILTER (WHERE relname = 'tag_results'), 0) AS tag_hot
         FROM pg_stat_user_tables`,
    );
    const r = rows[0] ?? {};
    return {
      transactions: Number(r.xacts ?? 0),
      mediaFiles: { updates: Number(r.media_upd ?? 0), hot: Number(r.media_hot ?? 0) },
      tagResults: { updates: Number(r.tag_upd ?? 0), hot: Number(r.tag_hot ?? 0) },
    };
  }

  /** Process ids of the Postgres backends connected to this stack's database (its programs and the bench). */
  async backendPids(): Promise<number[]> {
    const { rows } = await this.pool.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((r) => Number(r.pid));
  }

  /** Polls Postgres every `intervalMs` until every file of the batch is final. */
  async waitFinal(
    batch: string,
    options: {
      timeoutMs: number;
      intervalMs?: number;
      /** Known file count: poll the cheap counts, confirm with batchProgress. */
      total?: number;
      onTick?: (p: Progress) => void;
    },
  ): Promise<Progress> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      let p: Progress | undefined;
      try {
        if (options.total === undefined || (await this.finalCount()) >= options.total) {
          p = await this.progress(batch);
        }
      } catch (error) {
        // Postgres restarting under a chaos test: ask again.
        if (!isTransientPgError(error)) throw error;
      }
      if (p) {
        options.onTick?.(p);
        if (p.final >= p.total) return p;
      }
      if (Date.now() > deadline) {
        const last = p ?? (await this.progress(batch).catch(() => undefined));
        const tails = this.workers.map((w) => `-- worker ${w.pid}:\n${w.tail.text()}`).join('\n');
        throw new Error(
          `batch ${batch} not final after ${options.timeoutMs} ms: ${JSON.stringify(last)}\n${tails}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  }

  /** Waits for every spawned worker to have started. */
  async workersReady(timeoutMs = 30_000): Promise<void> {
    await withTimeout(Promise.all(this.alive().map((w) => w.ready)), timeoutMs, 'workers to start');
  }

  /** Flushes this run's Redis keys. */
  flushRedis(): Promise<number> {
    return deletePrefix(this.redis, this.prefix);
  }

  /** Stops workers, the emulator, deletes the Redis keys and drops the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Stack.open.delete(this);
    await Promise.all(this.alive().map((w) => this.stopWorker(w, 'SIGTERM', 10_000)));
    await this.emulator.close();
    await this.flushRedis().catch(() => 0);
    this.redis.disconnect();
    await this.pool.end().catch(() => {});
    // Postgres may be restarting (a chaos run): try for a while rather than leak the database.
    for (let attempt = 1; ; attempt++) {
      try {
        await dropDatabase(this.dbName);
        return;
      } catch (error) {
        if (attempt >= 20 || !isTransientPgError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
}

/** The share of a result the caller reads in ProcResult: exit, summary line, RSS. */
export type { ProcResult };
