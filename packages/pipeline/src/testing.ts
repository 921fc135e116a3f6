// The world of a worker-level test: a database of its own, an emulator standing in for
// AssemblyAI, and worker deps on a random queue prefix, all cleaned up by close().
import { randomBytes } from 'node:crypto';
import { cliEnvSchema, parseEnv } from '@mediatag/config';
import { createTestDatabase, type TestDatabase } from '@mediatag/db/testing';
import { type Emulator, type EmulatorOverrides, startEmulator } from '@mediatag/emulator';
import { createLogger, type Logger } from '@mediatag/logger';
import { createWorkerDeps, type WorkerDeps } from './deps.ts';
import { type StartOptions, startWorkers, type WorkerHandle } from './run.ts';

export interface Testbed {
  db: TestDatabase;
  emulator: Emulator;
  /** Worker deps from the variables a user would set, over a test's defaults. */
  deps(env?: Record<string, string>, log?: Logger): Promise<WorkerDeps>;
  /** Starts workers on deps made by `deps`; stopped by close(). */
  start(deps: WorkerDeps, options: StartOptions): WorkerHandle;
  /** Creates a batch on the `media` preset taxonomy. */
  mediaBatch(name: string): Promise<{ batchId: number; taxonomyId: number }>;
  /** Waits until `sql` returns a row. */
  until(sql: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openTestbed(emulatorOptions: EmulatorOverrides = {}): Promise<Testbed> {
  const db = await createTestDatabase();
  const emulator = await startEmulator({ timeScale: 2, ...emulatorOptions });
  const opened: Array<WorkerDeps & { close(): Promise<void> }> = [];
  const handles: WorkerHandle[] = [];
  return {
    db,
    emulator,
    async deps(env = {}, log = createLogger({ level: 'silent' })) {
      const parsed = parseEnv(cliEnvSchema, {
        DATABASE_URL: db.url,
        QUEUE_PREFIX: `mt-test-${randomBytes(4).toString('hex')}`,
        ASSEMBLYAI_BASE_URL: emulator.url,
        LLM_GATEWAY_URL: emulator.url,
        ASSEMBLYAI_API_KEY: 'emulator-key',
        DATABASE_POOL_SIZE: '4',
        LOG_LEVEL: 'silent',
        ...env,
      });
      const deps = await createWorkerDeps(parsed, log);
      opened.push(deps);
      return deps;
    },
    start(deps, options) {
      const handle = startWorkers(deps, options);
      handles.push(handle);
      return handle;
    },
    async mediaBatch(name) {
      const { rows } = await db.pool.query(
        `INSERT INTO batches (name, taxonomy_id) SELECT $1, id FROM taxonomies WHERE name = 'media'
         RETURNING id, taxonomy_id`,
        [name],
      );
      return { batchId: Number(rows[0].id), taxonomyId: Number(rows[0].taxonomy_id) };
    },
    async until(sql, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while ((await db.pool.query(sql)).rows.length === 0) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${sql}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      for (const handle of handles) await handle.close(2000);
      for (const deps of opened) {
        // This run's keys only: other test files share the Redis server.
        await deps.redis.eval(
          `for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1`,
          0,
          deps.keys.all,
        );
        await deps.close();
      }
      await emulator.close();
      await db.drop();
    },
  };
}

/** From now on, records the names of the prepared statements `deps` sends to Postgres. */
export function statementsSent(deps: WorkerDeps): string[] {
  const sent: string[] = [];
  const client = deps.db.$client;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const first = args[0] as { name?: string } | undefined;
    if (first && typeof first === 'object' && first.name) sent.push(first.name);
    return query(...args);
  };
  return sent;
}
