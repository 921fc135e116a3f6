import { resubmittedAfterSearch } from '@mediatag/db';
import type { TestDatabase } from '@mediatag/db/testing';
import type { Emulator } from '@mediatag/emulator';
import { addJobs } from '@mediatag/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerDeps } from './deps.ts';
import { openTestbed, type Testbed } from './testing.ts';

let bed: Testbed;
let db: TestDatabase;
let emulator: Emulator;

beforeEach(async () => {
  bed = await openTestbed();
  ({ db, emulator } = bed);
});
afterEach(() => bed.close());

const setUp = () => bed.deps({ POLL_MIN_MS: '10', POLL_MAX_MS: '200', TAG_BATCH_SIZE: '1' });

/** A file whose last submission attempt has an unknown outcome (it may have reached AssemblyAI). */
async function uncertainFile(url: string): Promise<number> {
  const { batchId } = await bed.mediaBatch('o');
  const { rows } = await db.pool.query(
    `INSERT INTO media_files (url, submit_uncertain_since, submit_attempts) VALUES ($1, now() - interval '1 minute', 1)
     RETURNING id`,
    [url],
  );
  await db.pool.query('INSERT INTO batch_files (batch_id, media_file_id) VALUES ($1, $2)', [
    batchId,
    rows[0].id,
  ]);
  return Number(rows[0].id);
}

const until = (sql: string) => bed.until(sql);

/**
 * An earlier attempt that reached AssemblyAI for `url`, then three newer transcripts of other
 * files; then the file's transcribe job runs until the file is tagged. Returns the earlier id.
 */
async function resumeAfterUncertainAttempt(d: WorkerDeps, url: string): Promise<string> {
  const earlier = await d.aai.submitTranscript({ audio_url: url, speech_models: ['universal-3-pro'] });
  for (let i = 0; i < 3; i++)
    await d.aai.submitTranscript({
      audio_url: `${emulator.url}/audio/${i}.mp3`,
      speech_models: ['universal-3-pro'],
    });
  const fileId = await uncertainFile(url);
  await addJobs(d.queues, 'transcribe', [{ fileId }]);
  bed.start(d, { role: 'all', concurrency: 2, reconcile: false });
  await until(`SELECT 1 FROM tag_results WHERE status = 'tagged'`);
  return earlier.id;
}

describe('after a submission whose outcome is unknown', () => {
  it('adopts the transcript an earlier attempt created instead of paying again', async () => {
    const d = await setUp();
    const earlier = await resumeAfterUncertainAttempt(d, `${emulator.url}/samples/sports-01.mp3`);
    const { rows } = await db.pool.query('SELECT transcript_id, submit_search_gave_up_at FROM media_files');
    expect(rows[0]).toEqual({ transcript_id: earlier, submit_search_gave_up_at: null });
    expect(emulator.stats().submissions).toBe(4);
  });

  it('gives up after its page limit, submits again, and records it where status reads it', async () => {
    const d = await setUp();
    // Two transcripts a page, one page: the earlier attempt's is further back than that.
    d.settings.orphanSearch = { pageSize: 2, maxPages: 1 };
    await resumeAfterUncertainAttempt(d, `${emulator.url}/samples/politics-01.mp3`);
    const { rows } = await db.pool.query('SELECT submit_search_gave_up_at FROM media_files');
    expect(rows[0].submit_search_gave_up_at).toBeInstanceOf(Date);
    expect(emulator.stats().submissions).toBe(5); // paid again: the search did not reach it
    expect(await resubmittedAfterSearch(db.db)).toEqual(new Map([['o', 1]]));
  });
});

describe('the search for an earlier submission on a machine east of UTC', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('reads the list in UTC and reaches the earlier transcript on a later page', async () => {
    // AssemblyAI's `created` carries no zone. Read in Tokyo's, every transcript looked nine
    // hours older: the first page already seemed older than the attempt, the search stopped
    // there, and the file was paid for again.
    process.env.TZ = 'Asia/Tokyo';
    const d = await setUp();
    d.settings.orphanSearch = { pageSize: 2, maxPages: 5 };
    const earlier = await resumeAfterUncertainAttempt(d, `${emulator.url}/samples/science-01.mp3`);
    const { rows } = await db.pool.query('SELECT transcript_id, submit_search_gave_up_at FROM media_files');
    expect(rows[0]).toEqual({ transcript_id: earlier, submit_search_gave_up_at: null });
    expect(emulator.stats().submissions).toBe(4);
  });
});
