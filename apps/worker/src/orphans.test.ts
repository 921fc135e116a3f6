import { randomBytes } from 'node:crypto';
import { cliEnvSchema, parseEnv } from '@mediatag/config';
import { resubmittedAfterSearch } from '@mediatag/db';
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

async function setUp() {
  const parsed = parseEnv(cliEnvSchema, {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `mt-test-${randomBytes(4).toString('hex')}`,
    ASSEMBLYAI_BASE_URL: emulator.url,
    LLM_GATEWAY_URL: emulator.url,
    ASSEMBLYAI_API_KEY: 'emulator-key',
    DATABASE_POOL_SIZE: '4',
    POLL_MIN_MS: '10',
    POLL_MAX_MS: '200',
    TAG_BATCH_SIZE: '1',
    LOG_LEVEL: 'silent',
  });
  deps = await createWorkerDeps(parsed, createLogger({ level: 'silent' }));
  return deps;
}

/** A file whose last submission attempt has an unknown outcome (it may have reached AssemblyAI). */
async function uncertainFile(url: string): Promise<number> {
  const { rows: tax } = await db.pool.query(`SELECT id FROM taxonomies WHERE name = 'media'`);
  const { rows: batch } = await db.pool.query(
    `INSERT INTO batches (name, taxonomy_id) VALUES ('o', $1) RETURNING id`,
    [tax[0].id],
  );
  const { rows } = await db.pool.query(
    `INSERT INTO media_files (url, submit_uncertain_since, submit_attempts) VALUES ($1, now() - interval '1 minute', 1)
     RETURNING id`,
    [url],
  );
  await db.pool.query('INSERT INTO batch_files (batch_id, media_file_id) VALUES ($1, $2)', [
    batch[0].id,
    rows[0].id,
  ]);
  return Number(rows[0].id);
}

async function until(sql: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await db.pool.query(sql)).rows.length === 0) {
    if (Date.now() > deadline) throw new Error(`timed out: ${sql}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('after a submission whose outcome is unknown', () => {
  it('adopts the transcript an earlier attempt created instead of paying again', async () => {
    const d = await setUp();
    const url = `${emulator.url}/samples/sports-01.mp3`;
    const earlier = await d.aai.submitTranscript({ audio_url: url, speech_models: ['universal-3-pro'] });
    for (let i = 0; i < 3; i++)
      await d.aai.submitTranscript({
        audio_url: `${emulator.url}/audio/${i}.mp3`,
        speech_models: ['universal-3-pro'],
      });
    const fileId = await uncertainFile(url);
    await d.queues.transcribe.add('transcribe', { fileId }, { jobId: jobIds.transcribe({ fileId }) });
    handle = startWorkers(d, { role: 'all', concurrency: 2, reconcile: false });
    await until(`SELECT 1 FROM tag_results WHERE status = 'tagged'`);
    const { rows } = await db.pool.query('SELECT transcript_id, submit_search_gave_up_at FROM media_files');
    expect(rows[0]).toEqual({ transcript_id: earlier.id, submit_search_gave_up_at: null });
    expect(emulator.stats().submissions).toBe(4);
  });

  it('gives up after its page limit, submits again, and records it where status reads it', async () => {
    const d = await setUp();
    // Two transcripts a page, one page: the earlier attempt's is further back than that.
    d.settings.orphanSearch = { pageSize: 2, maxPages: 1 };
    const url = `${emulator.url}/samples/politics-01.mp3`;
    await d.aai.submitTranscript({ audio_url: url, speech_models: ['universal-3-pro'] });
    for (let i = 0; i < 3; i++)
      await d.aai.submitTranscript({
        audio_url: `${emulator.url}/audio/${i}.mp3`,
        speech_models: ['universal-3-pro'],
      });
    const fileId = await uncertainFile(url);
    await d.queues.transcribe.add('transcribe', { fileId }, { jobId: jobIds.transcribe({ fileId }) });
    handle = startWorkers(d, { role: 'all', concurrency: 2, reconcile: false });
    await until(`SELECT 1 FROM tag_results WHERE status = 'tagged'`);
    const { rows } = await db.pool.query('SELECT submit_search_gave_up_at FROM media_files');
    expect(rows[0].submit_search_gave_up_at).toBeInstanceOf(Date);
    expect(emulator.stats().submissions).toBe(5); // paid again: the search did not reach it
    expect(await resubmittedAfterSearch(db.db)).toEqual(new Map([['o', 1]]));
  });
});
