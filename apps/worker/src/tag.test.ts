import { randomBytes } from 'node:crypto';
import { cliEnvSchema, parseEnv } from '@mediatag/config';
import { createTestDatabase, type TestDatabase } from '@mediatag/db/testing';
import { type Emulator, startEmulator } from '@mediatag/emulator';
import { createLogger } from '@mediatag/logger';
import { jobIds } from '@mediatag/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkerDeps, type WorkerDeps } from './deps.ts';
import { startWorkers, type WorkerHandle } from './run.ts';

let db: TestDatabase;
let emulator: Emulator;
let deps: (WorkerDeps & { close(): Promise<void> }) | undefined;
let handle: WorkerHandle | undefined;

beforeEach(async () => {
  db = await createTestDatabase();
  emulator = await startEmulator({ timeScale: 2 });
});
afterEach(async () => {
  await handle?.close(2000);
  handle = undefined;
  if (deps) {
    await deps.redis.eval(
      `for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 1`,
      0,
      `${deps.queues.prefix}:*`,
    );
    await deps.close();
  }
  deps = undefined;
  await emulator.close();
  await db.drop();
});

async function depsWith(env: Record<string, string>) {
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
  deps = await createWorkerDeps(parsed, createLogger({ level: 'silent' }));
  return deps;
}

/** Transcribed files (ids made up: the gateway is never reached for them) in a `media` batch. */
async function completedFiles(n: number): Promise<{ fileIds: number[]; taxonomyId: number }> {
  const { rows: tax } = await db.pool.query(`SELECT id FROM taxonomies WHERE name = 'media'`);
  const taxonomyId = Number(tax[0].id);
  const { rows: batch } = await db.pool.query(
    `INSERT INTO batches (name, taxonomy_id) VALUES ('b', $1) RETURNING id`,
    [taxonomyId],
  );
  const fileIds: number[] = [];
  for (let i = 0; i < n; i++) {
    const { rows } = await db.pool.query(
      `INSERT INTO media_files (url, transcript_id, transcript_status, submitted_at, completed_at)
       VALUES ($1, $2, 'completed', now(), now()) RETURNING id`,
      [`https://example.com/${i}.mp3`, `made-up-${i}`],
    );
    fileIds.push(Number(rows[0].id));
    await db.pool.query('INSERT INTO batch_files (batch_id, media_file_id) VALUES ($1, $2)', [
      batch[0].id,
      rows[0].id,
    ]);
  }
  return { fileIds, taxonomyId };
}

describe('tag job control flow', () => {
  it('a tag job paused by the gateway budget on its last attempt stores no failure', async () => {
    // One gateway request a minute: the first job spends it, the second must wait for the budget.
    const d = await depsWith({ LLM_RATE_LIMIT: '1/60', TAG_BATCH_SIZE: '1' });
    const { fileIds, taxonomyId } = await completedFiles(2);
    for (const fileId of fileIds) {
      const data = { fileId, taxonomyId };
      // attempts: 1 = every run is the job's last attempt.
      await d.queues.tag.add('tag', data, { jobId: jobIds.tag(data), attempts: 1 });
    }
    handle = startWorkers(d, { role: 'tag', concurrency: 1, reconcile: false });
    // The first file's request reaches the gateway, which does not know its made-up transcript.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await db.pool.query(`SELECT 1 FROM tag_results WHERE status = 'error'`);
      if (rows.length > 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500)); // the second job meets the empty budget meanwhile
    const { rows } = await db.pool.query(
      'SELECT media_file_id, status, error FROM tag_results ORDER BY media_file_id',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ media_file_id: String(fileIds[0]), status: 'error' });
    expect(rows[0].error).toMatch(/not found/i);
    // Waiting for the budget is not a failure: no error, and the job is still queued.
    expect(rows[1]).toMatchObject({ media_file_id: String(fileIds[1]), status: 'pending', error: null });
    const state = await d.queues.tag.getJobState(jobIds.tag({ fileId: fileIds[1] as number, taxonomyId }));
    expect(['waiting', 'delayed', 'prioritized', 'active']).toContain(state);
    expect(emulator.stats().requestsTotal).toBe(1); // the budget held: one request
  });
});
