import type { TestDatabase } from '@mediatag/db/testing';
import type { Emulator } from '@mediatag/emulator';
import { addJobs, jobIds } from '@mediatag/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerDeps } from './deps.ts';
import { CompletionSweep, sweepCompletions } from './sweep.ts';
import { openTestbed, type Testbed } from './testing.ts';

let bed: Testbed;
let db: TestDatabase;
let emulator: Emulator;

beforeEach(async () => {
  bed = await openTestbed({ gateway: { requestsPerMinute: 1_000_000 } });
  ({ db, emulator } = bed);
});
afterEach(() => bed.close());

// Scheduled checks far past the test's timeout: the first at 5 × 10 min with the sweep, at
// POLL_MIN_MS (1 min) without. Only the sweep can notice a finished transcript in time.
const SLOW_CHECKS = {
  POLL_MIN_MS: '60000',
  POLL_MAX_MS: '600000',
  TAG_BATCH_SIZE: '1',
  LLM_RATE_LIMIT: '1000000/60',
};

/** `n` pending files in one batch of the `media` taxonomy, with their transcribe jobs. */
async function pendingFiles(d: WorkerDeps, n: number): Promise<number[]> {
  const { batchId } = await bed.mediaBatch('sweep');
  const { rows } = await db.pool.query(
    `INSERT INTO media_files (url) SELECT $1 || '/audio/' || i || '.mp3' FROM generate_series(1, $2) i
     RETURNING id`,
    [emulator.url, n],
  );
  const fileIds = rows.map((r) => Number(r.id));
  await db.pool.query('INSERT INTO batch_files (batch_id, media_file_id) SELECT $1, unnest($2::bigint[])', [
    batchId,
    fileIds,
  ]);
  await addJobs(
    d.queues,
    'transcribe',
    fileIds.map((fileId) => ({ fileId })),
  );
  return fileIds;
}

/** Transcripts submitted straight to the emulator, oldest first, and files in flight for the first `inFlight`. */
async function submitted(
  d: WorkerDeps,
  n: number,
  inFlight: number,
): Promise<{ ids: string[]; fileIds: number[] }> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = await d.aai.submitTranscript({
      audio_url: `${emulator.url}/audio/s${i}.mp3`,
      speech_models: ['universal-3-pro'],
    });
    ids.push(t.id);
  }
  const fileIds: number[] = [];
  for (const [i, id] of ids.slice(0, inFlight).entries()) {
    const { rows } = await db.pool.query(
      `INSERT INTO media_files (url, transcript_id, transcript_status, submitted_at)
       VALUES ($1, $2, 'queued', now()) RETURNING id`,
      [`${emulator.url}/audio/s${i}.mp3`, id],
    );
    fileIds.push(Number(rows[0].id));
    await d.inFlight.acquire(Number(rows[0].id));
  }
  await expect.poll(() => emulator.stats().completed, { timeout: 10_000 }).toBe(n);
  return { ids, fileIds };
}

describe('the completion sweep (POLL_SWEEP_MS)', () => {
  it('notices finished transcripts long before their scheduled check, with one GET each', async () => {
    const d = await bed.deps({ ...SLOW_CHECKS, POLL_SWEEP_MS: '100' });
    const fileIds = await pendingFiles(d, 50);
    bed.start(d, { role: 'all', concurrency: 4, reconcile: false });
    await bed.until(
      `SELECT 1 WHERE (SELECT count(*) FROM tag_results WHERE status IN ('tagged', 'unmatched')) = ${fileIds.length}`,
      30_000,
    );
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM media_files WHERE transcript_status = 'completed'`,
    );
    expect(rows[0].n).toBe(50);
    const stats = emulator.stats();
    expect(stats.submissions).toBe(50);
    // Each transcript read once, by the check the sweep woke: no scheduled check came first.
    expect(stats.getsByTranscript.meanPerCompletedTranscript).toBe(1);
    expect(stats.getsByTranscript.maxPerTranscript).toBe(1);
    expect(await d.inFlight.count()).toBe(0);
  }, 60_000);

  it('without it (POLL_SWEEP_MS=0) the same files wait for their scheduled check', async () => {
    const d = await bed.deps({ ...SLOW_CHECKS, POLL_SWEEP_MS: '0' });
    expect(d.settings.sweep).toBeUndefined();
    const fileIds = await pendingFiles(d, 10);
    bed.start(d, { role: 'all', concurrency: 4, reconcile: false });
    await bed.until(`SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM media_files WHERE transcript_id IS NULL)`);
    // Finished at AssemblyAI, and still not noticed after many sweep intervals.
    await expect.poll(() => emulator.stats().completed, { timeout: 10_000 }).toBe(10);
    await new Promise((r) => setTimeout(r, 1500));
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM media_files WHERE transcript_status IN ('queued', 'processing')`,
    );
    expect(rows[0].n).toBe(10);
    for (const fileId of fileIds)
      expect(await d.queues.poll.getJobState(jobIds.poll({ fileId }))).toBe('delayed');
    expect(emulator.stats().getsTotal).toBe(0);
  }, 30_000);

  it('is off with webhooks, whatever POLL_SWEEP_MS says', async () => {
    const d = await bed.deps({
      POLL_SWEEP_MS: '100',
      WEBHOOK_BASE_URL: 'https://hooks.example.com',
      WEBHOOK_SECRET: 'a-secret-of-16-chars-or-more',
    });
    expect(d.settings.webhook).toBeDefined();
    expect(d.settings.sweep).toBeUndefined();
    const defaults = await bed.deps();
    expect(defaults.settings.sweep).toEqual({ intervalMs: 2000, pageSize: 200, maxPages: 10 });
  });

  it('pages back to the oldest file in flight, at most maxPages, and wakes only in-flight files', async () => {
    const d = await bed.deps();
    // Seven transcripts; the oldest two are ours and in flight, the rest another client's.
    const { fileIds } = await submitted(d, 7, 2);
    const before = emulator.stats().requestsTotal;
    const report = await sweepCompletions(d, { pageSize: 2, maxPages: 10 });
    // Every transcript is within the clock margin of the oldest submission: to the end.
    expect(report).toEqual({ pages: 4, listed: 7, finished: 2, woken: 2, stop: 'end' });
    expect(emulator.stats().requestsTotal - before).toBe(4);
    for (const fileId of fileIds)
      expect(await d.queues.poll.getJobState(jobIds.poll({ fileId }))).toMatch(/^(waiting|prioritized)$/);

    // At most maxPages list requests.
    expect(await sweepCompletions(d, { pageSize: 2, maxPages: 2 })).toMatchObject({
      pages: 2,
      stop: 'max-pages',
    });
    // Only as far back as the oldest submission (plus the margin): a slot taken "later" than
    // every transcript stops at the first page.
    await d.redis.zadd(d.keys.inflight, String(Date.now() + 10 * 60_000), String(fileIds[0]));
    await d.redis.zadd(d.keys.inflight, String(Date.now() + 10 * 60_000), String(fileIds[1]));
    expect(await sweepCompletions(d, { pageSize: 2, maxPages: 10 })).toMatchObject({
      pages: 1,
      stop: 'reached',
    });
    // Recorded finished: nothing to wake any more.
    await db.pool.query(`UPDATE media_files SET transcript_status = 'completed'`);
    expect(await sweepCompletions(d, { pageSize: 200, maxPages: 10 })).toMatchObject({
      pages: 1,
      finished: 0,
      woken: 0,
    });
  });

  it('runs one sweep at a time across processes, and none with nothing in flight', async () => {
    const d = await bed.deps();
    const sweep = new CompletionSweep(d, { intervalMs: 1000, pageSize: 200, maxPages: 10 });
    let before = emulator.stats().requestsTotal;
    await sweep.tick();
    expect(emulator.stats().requestsTotal).toBe(before);

    await submitted(d, 3, 1);
    before = emulator.stats().requestsTotal;
    // Another process holds the lock.
    await d.redis.set(d.keys.sweepLock, 'someone-else', 'PX', 5000);
    await sweep.tick();
    expect(emulator.stats().requestsTotal).toBe(before);
    await d.redis.del(d.keys.sweepLock);
    // Two processes at once: one lists, and keeps the lock for most of the interval.
    const other = new CompletionSweep(d, { intervalMs: 1000, pageSize: 200, maxPages: 10 });
    await Promise.all([sweep.tick(), other.tick()]);
    expect(emulator.stats().requestsTotal).toBe(before + 1);
    const ttl = await d.redis.pttl(d.keys.sweepLock);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(900);
  });
});
