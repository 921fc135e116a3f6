import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from './client.ts';
import { createPool } from './connection.ts';
import { claimSubmission, releaseClaim, saveTranscriptId } from './submissions.ts';
import { loadTagTarget } from './tag-results.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';
import { markCompleted } from './transcripts.ts';

let t: TestDatabase;
// One connection, so the statistics this backend reports are the statements' own.
let one: Db;
let media: number;
beforeAll(async () => {
  t = await createTestDatabase();
  one = createDb(createPool(t.url, { max: 1 }));
  media = Number((await t.pool.query(`SELECT id FROM taxonomies WHERE name = 'media'`)).rows[0].id);
});
afterAll(async () => {
  await one.$client.end();
  await t.drop();
});

async function batch(name: string, options: { cap?: number; transcription?: object } = {}) {
  const { rows } = await t.pool.query(
    `INSERT INTO batches (name, taxonomy_id, max_cost_usd, transcription_options) VALUES ($1, $2, $3, $4) RETURNING id`,
    [name, media, options.cap ?? null, options.transcription ?? null],
  );
  return Number(rows[0].id);
}

async function file(url: string, batchIds: number[]) {
  const { rows } = await t.pool.query(`INSERT INTO media_files (url) VALUES ($1) RETURNING id`, [url]);
  const id = Number(rows[0].id);
  for (const b of batchIds) {
    await t.pool.query('INSERT INTO batch_files (batch_id, media_file_id) VALUES ($1, $2)', [b, id]);
  }
  return id;
}

/** media_files updates so far, and how many of them were HOT (this connection's, flushed now). */
async function updates(): Promise<{ all: number; hot: number }> {
  await one.$client.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await one.$client.query(
    `SELECT n_tup_upd AS all, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'media_files'`,
  );
  return { all: Number(rows[0].all), hot: Number(rows[0].hot) };
}

describe('the submission statements', () => {
  it('claim once, with the first batch’s options and the batches that have a cap', async () => {
    const first = await batch('first', { transcription: { punctuate: false } });
    const capped = await batch('capped', { cap: 5 });
    const id = await file('https://example.com/claim.mp3', [first, capped]);
    const claim = await claimSubmission(one, id, 60_000);
    expect(claim).toMatchObject({
      claimed: true,
      attempt: 1,
      uncertainSince: null,
      uncapped: true,
      cappedBatchIds: [capped],
      file: {
        id,
        transcriptId: null,
        transcriptStatus: 'pending',
        transcriptionOptions: { punctuate: false },
      },
    });
    // Held by this attempt: nobody else may submit it until the claim expires.
    expect(await claimSubmission(one, id, 60_000)).toEqual({ claimed: false });
    await releaseClaim(one, id, false);
    const again = await claimSubmission(one, id, 60_000);
    expect(again).toMatchObject({ claimed: true, attempt: 2 });
    expect(again.claimed && again.uncertainSince).toBeInstanceOf(Date);
  });

  it('a file in capped batches only: no batch pays until the cap check charges one', async () => {
    const a = await batch('cap-a', { cap: 1 });
    const b = await batch('cap-b', { cap: 2 });
    const id = await file('https://example.com/capped.mp3', [b, a]);
    expect(await claimSubmission(one, id, 60_000)).toMatchObject({
      uncapped: false,
      cappedBatchIds: [a, b],
      file: { transcriptionOptions: null },
    });
  });

  it('the claim is a HOT update; the transcript id charges the first batch without a cap', async () => {
    const capped = await batch('hot-capped', { cap: 5 });
    const free = await batch('hot-free');
    const id = await file('https://example.com/hot.mp3', [capped, free]);
    const before = await updates();
    await claimSubmission(one, id, 60_000);
    await releaseClaim(one, id, true);
    await claimSubmission(one, id, 60_000);
    const claimed = await updates();
    // No index of media_files covers what a claim changes: each one stayed on its page.
    expect(claimed.all - before.all).toBe(3);
    expect(claimed.hot - before.hot).toBe(3);
    expect(await saveTranscriptId(one, id, 'tx-hot', 'queued')).toBe(true);
    expect(await saveTranscriptId(one, id, 'tx-other', 'queued')).toBe(false);
    const { rows } = await t.pool.query(
      'SELECT transcript_id, transcript_status, charged_batch_id FROM media_files WHERE id = $1',
      [id],
    );
    expect(rows[0]).toEqual({ transcript_id: 'tx-hot', transcript_status: 'queued', charged_batch_id: free });
  });
});

describe('markCompleted', () => {
  it('records status, charge, text and pending results in its first statement; a second completion bills nothing', async () => {
    const b = await batch('done');
    const id = await file('https://example.com/done.mp3', [b]);
    await claimSubmission(one, id, 60_000);
    await saveTranscriptId(one, id, 'tx-done', 'processing');
    const completion = {
      audioDuration: 120,
      languageCode: 'en',
      speechModel: 'universal',
      costUsd: 0.0123,
      text: { excerpt: 'a match report', excerptTokens: 4, fullText: null, fullTokens: 4 },
    };
    expect(await markCompleted(one, id, completion)).toEqual({ completed: true, taxonomies: [media] });
    expect(await markCompleted(one, id, completion)).toEqual({ completed: true, taxonomies: [media] });
    const { rows } = await t.pool.query(
      `SELECT m.transcript_status, m.audio_duration_s, x.excerpt,
              (SELECT count(*)::int FROM cost_ledger l WHERE l.media_file_id = m.id) AS charges,
              (SELECT array_agg(r.status) FROM tag_results r WHERE r.media_file_id = m.id) AS results
         FROM media_files m JOIN transcript_texts x ON x.media_file_id = m.id WHERE m.id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({
      transcript_status: 'completed',
      audio_duration_s: 120,
      excerpt: 'a match report',
      charges: 1,
      results: ['pending'],
    });
    // Batched tagging: the same statement that loads the target says how many files are ready.
    const target = await loadTagTarget(one, id, media, 20);
    expect(target).toMatchObject({ resultStatus: 'pending', solo: false, ready: 1 });
    expect((await loadTagTarget(one, id, media))?.ready).toBeNull();
  });

  it('given the transcript a check asked about, completes only a file still waiting for it', async () => {
    const b = await batch('expect');
    const id = await file('https://example.com/expect.mp3', [b]);
    await claimSubmission(one, id, 60_000);
    await saveTranscriptId(one, id, 'tx-now', 'queued');
    const completion = { audioDuration: 60, languageCode: 'en', speechModel: null, costUsd: 0.01 };
    // Another transcript than the file's: nothing is written, nothing billed.
    expect(await markCompleted(one, id, completion, 'tx-before')).toEqual({
      completed: false,
      taxonomies: [],
    });
    const before = await t.pool.query(
      `SELECT m.transcript_status, (SELECT count(*)::int FROM cost_ledger l WHERE l.media_file_id = m.id) AS charges
         FROM media_files m WHERE m.id = $1`,
      [id],
    );
    expect(before.rows[0]).toEqual({ transcript_status: 'queued', charges: 0 });
    expect(await markCompleted(one, id, completion, 'tx-now')).toEqual({
      completed: true,
      taxonomies: [media],
    });
    // Completed already: a second check of the same transcript changes nothing.
    expect(await markCompleted(one, id, completion, 'tx-now')).toEqual({ completed: false, taxonomies: [] });
  });
});
