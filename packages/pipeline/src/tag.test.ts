import { Writable } from 'node:stream';
import type { TestDatabase } from '@mediatag/db/testing';
import type { Emulator } from '@mediatag/emulator';
import { createLogger, type Logger } from '@mediatag/logger';
import { addJobs, jobIds } from '@mediatag/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerDeps } from './deps.ts';
import { openTestbed, statementsSent, type Testbed } from './testing.ts';

let bed: Testbed;
let db: TestDatabase;
let emulator: Emulator;

beforeEach(async () => {
  bed = await openTestbed({ faults: { batchItemFaultRate: 0 } });
  ({ db, emulator } = bed);
});
afterEach(() => bed.close());

const depsWith = (env: Record<string, string>, log?: Logger) => bed.deps(env, log);

/** Transcribed files (ids made up: the gateway is never reached for them) in a `media` batch. */
async function completedFiles(n: number): Promise<{ fileIds: number[]; taxonomyId: number }> {
  const { batchId, taxonomyId } = await bed.mediaBatch('b');
  const fileIds: number[] = [];
  for (let i = 0; i < n; i++) {
    const { rows } = await db.pool.query(
      `INSERT INTO media_files (url, transcript_id, transcript_status, submitted_at, completed_at)
       VALUES ($1, $2, 'completed', now(), now()) RETURNING id`,
      [`https://example.com/${i}.mp3`, `made-up-${i}`],
    );
    fileIds.push(Number(rows[0].id));
    await db.pool.query('INSERT INTO batch_files (batch_id, media_file_id) VALUES ($1, $2)', [
      batchId,
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
      await addJobs(d.queues, 'tag', [data], { attempts: 1 });
    }
    bed.start(d, { role: 'tag', concurrency: 1, reconcile: false });
    // The first file's request reaches the gateway, which does not know its made-up transcript.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await db.pool.query(`SELECT 1 FROM tag_results WHERE status = 'error'`);
      if (rows.length > 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The second job meets the empty budget: its wait is recorded for `status`, the queue
    // pauses and the job goes back to wait for it (its run, catch included, is over).
    const second = jobIds.tag({ fileId: fileIds[1] as number, taxonomyId });
    await expect.poll(() => d.redis.get(d.keys.health.gatewayWait), { timeout: 10_000 }).not.toBeNull();
    await expect.poll(() => d.queues.tag.getJobState(second)).toMatch(/^(waiting|delayed|prioritized)$/);
    const { rows } = await db.pool.query(
      'SELECT media_file_id, status, error FROM tag_results ORDER BY media_file_id',
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ media_file_id: String(fileIds[0]), status: 'error' });
    expect(rows[0].error).toMatch(/not found/i);
    // Waiting for the budget is not a failure: no error, and the job is still queued.
    expect(rows[1]).toMatchObject({ media_file_id: String(fileIds[1]), status: 'pending', error: null });
    expect(['waiting', 'delayed', 'prioritized']).toContain(await d.queues.tag.getJobState(second));
    expect(emulator.stats().requestsTotal).toBe(1); // the budget held: one request
  });
});

/** Makes the next write matching `when` on `table` fail once, as a Postgres outage would. */
async function failOnce(table: string, when: string, events = 'INSERT OR UPDATE') {
  await db.pool.query(`CREATE SEQUENCE fail_once_seq`);
  await db.pool.query(`CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF nextval('fail_once_seq') = 1 THEN RAISE EXCEPTION 'injected: the database went away'; END IF;
    RETURN NEW; END $$`);
  await db.pool.query(
    `CREATE TRIGGER fail_once BEFORE ${events} ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION fail_once()`,
  );
}

/** Real transcripts of sample files at the emulator, recorded as completed in a `media` batch. */
async function transcribedSamples(d: WorkerDeps, ids: string[]) {
  const { batchId, taxonomyId } = await bed.mediaBatch('s');
  const fileIds: number[] = [];
  for (const id of ids) {
    const url = `${emulator.url}/samples/${id}.mp3`;
    let t = await d.aai.submitTranscript({ audio_url: url, speech_models: ['universal-3-pro'] });
    while (t.status !== 'completed') {
      await new Promise((r) => setTimeout(r, 20));
      t = await d.aai.getTranscript(t.id);
    }
    const { rows } = await db.pool.query(
      `INSERT INTO media_files (url, transcript_id, transcript_status, submitted_at, completed_at)
       VALUES ($1, $2, 'completed', now(), now()) RETURNING id`,
      [url, t.id],
    );
    fileIds.push(Number(rows[0].id));
    await db.pool.query('INSERT INTO batch_files (batch_id, media_file_id) VALUES ($1, $2)', [
      batchId,
      rows[0].id,
    ]);
  }
  return { fileIds, taxonomyId };
}

const until = (sql: string) => bed.until(sql);

describe('a paid answer whose save fails is kept with the job, not asked for again', () => {
  const samples = ['sports-01', 'politics-01', 'technology-01'];

  it('one file per request', async () => {
    const d = await depsWith({ TAG_BATCH_SIZE: '1' });
    const { fileIds, taxonomyId } = await transcribedSamples(d, samples.slice(0, 1));
    await failOnce('tag_results', `NEW.status <> 'pending'`);
    const data = { fileId: fileIds[0] as number, taxonomyId };
    await addJobs(d.queues, 'tag', [data], { backoff: { type: 'fixed', delay: 100 } });
    bed.start(d, { role: 'tag', concurrency: 1, reconcile: false });
    await until(`SELECT 1 FROM tag_results WHERE status = 'tagged'`);
    expect(emulator.stats().gatewayCalls).toBe(1);
    const { rows } = await db.pool.query('SELECT topic, attempts FROM tag_results');
    expect(rows).toEqual([{ topic: 'Sports', attempts: 1 }]);
  });

  it('a batched request', async () => {
    const d = await depsWith({ TAG_BATCH_SIZE: '10', TAG_BATCH_WAIT_MS: '0' });
    const { fileIds, taxonomyId } = await transcribedSamples(d, samples);
    // The batch's pending rows exist (as the poll makes them when a transcript completes).
    for (const fileId of fileIds)
      await db.pool.query('INSERT INTO tag_results (media_file_id, taxonomy_id) VALUES ($1, $2)', [
        fileId,
        taxonomyId,
      ]);
    await failOnce('tag_results', `NEW.status <> 'pending'`);
    const data = { fileId: fileIds[0] as number, taxonomyId };
    await addJobs(d.queues, 'tag', [data], { backoff: { type: 'fixed', delay: 100 } });
    bed.start(d, { role: 'tag', concurrency: 1, reconcile: false });
    await until(`SELECT 1 FROM tag_results WHERE status = 'tagged' HAVING count(*) = 3`);
    expect(emulator.stats().gatewayCalls).toBe(1);
    const { rows } = await db.pool.query('SELECT topic FROM tag_results ORDER BY media_file_id');
    expect(rows.map((r) => r.topic)).toEqual(['Sports', 'Politics', 'Technology']);
  });
});

describe('a file whose batched answer failed its check', () => {
  it('is asked alone at once: its job, waiting out the request, is woken', async () => {
    const d = await depsWith({ TAG_BATCH_SIZE: '10', TAG_BATCH_WAIT_MS: '0' });
    const { fileIds, taxonomyId } = await transcribedSamples(d, ['sports-01', 'politics-01']);
    for (const fileId of fileIds)
      await db.pool.query('INSERT INTO tag_results (media_file_id, taxonomy_id) VALUES ($1, $2)', [
        fileId,
        taxonomyId,
      ]);
    // Every item of a batched answer is damaged: both files are asked again alone.
    emulator.setFaults({ batchItemFaultRate: 1 });
    const [first, second] = fileIds.map((fileId) => ({ fileId, taxonomyId }));
    await addJobs(d.queues, 'tag', [first as { fileId: number; taxonomyId: number }]);
    // The other file's job waits (as it does while a request holds its lease), far past this test's timeout.
    await addJobs(d.queues, 'tag', [second as { fileId: number; taxonomyId: number }], { delay: 120_000 });
    bed.start(d, { role: 'tag', concurrency: 1, reconcile: false });
    await until(`SELECT 1 FROM tag_results WHERE status = 'tagged' HAVING count(*) = 2`);
    const { rows } = await db.pool.query('SELECT topic, batch_size FROM tag_results ORDER BY media_file_id');
    expect(rows).toEqual([
      { topic: 'Sports', batch_size: 1 },
      { topic: 'Politics', batch_size: 1 },
    ]);
    expect(emulator.stats().gatewayCalls).toBe(3); // the batch, then each file alone
  });
});

describe('a submission whose id cannot be saved', () => {
  it('is logged at error level with its transcript id, and adopted, not paid for twice', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const d = await depsWith(
      { TAG_BATCH_SIZE: '1', POLL_MIN_MS: '10', POLL_MAX_MS: '200', JOB_LOCK_MS: '1000' },
      createLogger({ level: 'info', destination: sink }),
    );
    const { batchId } = await bed.mediaBatch('t');
    const { rows: file } = await db.pool.query(`INSERT INTO media_files (url) VALUES ($1) RETURNING id`, [
      `${emulator.url}/samples/sports-01.mp3`,
    ]);
    await db.pool.query('INSERT INTO batch_files (batch_id, media_file_id) VALUES ($1, $2)', [
      batchId,
      file[0].id,
    ]);
    await failOnce('media_files', `OLD.transcript_id IS NULL AND NEW.transcript_id IS NOT NULL`, 'UPDATE');
    const data = { fileId: Number(file[0].id) };
    await addJobs(d.queues, 'transcribe', [data], { backoff: { type: 'fixed', delay: 100 } });
    bed.start(d, { role: 'all', concurrency: 2, reconcile: false });
    await until(`SELECT 1 FROM tag_results WHERE status = 'tagged'`);
    const logged = lines.filter((l) => l.level === 50 && typeof l.transcriptId === 'string');
    expect(logged).toHaveLength(1);
    const { rows } = await db.pool.query('SELECT transcript_id FROM media_files');
    expect(rows[0].transcript_id).toBe(logged[0]?.transcriptId);
    expect(logged[0]?.msg).toMatch(/must be adopted/);
    expect(emulator.stats().submissions).toBe(1);
  });
});

describe('a batch answers queued jobs', () => {
  it('a queued job whose file this process answered in a batch ends without a lookup', async () => {
    const d = await depsWith({ TAG_BATCH_SIZE: '3', TAG_BATCH_WAIT_MS: '0' });
    const { fileIds, taxonomyId } = await completedFiles(3);
    for (const fileId of fileIds) {
      await db.pool.query('INSERT INTO tag_results (media_file_id, taxonomy_id) VALUES ($1, $2)', [
        fileId,
        taxonomyId,
      ]);
      await db.pool.query(
        `INSERT INTO transcript_texts (media_file_id, excerpt, excerpt_tokens, full_tokens)
         VALUES ($1, 'The championship final went to extra time and the team won the cup.', 20, 20)`,
        [fileId],
      );
    }
    const sent = statementsSent(d);
    await addJobs(
      d.queues,
      'tag',
      fileIds.map((fileId) => ({ fileId, taxonomyId })),
    );
    const results: string[] = [];
    const handle = bed.start(d, { role: 'tag', concurrency: 1, reconcile: false });
    for (const w of handle.workers) w.on('completed', (_job, result) => results.push(result as string));
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(3);
    // The first job asked for all three files in one request; the two others ended on what
    // this process saved, without reading their rows again.
    expect(results).toEqual(['tagged', 'already-tagged', 'already-tagged']);
    expect(emulator.stats().requestsTotal).toBe(1);
    expect(sent.filter((name) => name === 'tag_results/load_target')).toHaveLength(1);
    const { rows } = await db.pool.query(`SELECT status FROM tag_results ORDER BY media_file_id`);
    expect(rows.map((r) => r.status)).toEqual(['tagged', 'tagged', 'tagged']);
  });
});
