import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goneFiles, requeueFailed } from './retry.ts';
import { findTaxonomy } from './taxonomies.ts';
import { addBatch, addFile, addResult, createTestDatabase, linkFiles, type TestDatabase } from './testing.ts';

let t: TestDatabase;
let batchId: number;
let f: Record<string, number>;
beforeAll(async () => {
  t = await createTestDatabase();
  const media = (await findTaxonomy(t.db, 'media'))?.id ?? 0;
  batchId = await addBatch(t.db, 'failed', media);
  const url = (n: string) => `https://retry.example.com/${n}.mp3`;
  f = {
    api: await addFile(t.db, { url: url('api'), status: 'error', errorKind: 'api' }),
    poll: await addFile(t.db, { url: url('poll'), status: 'error', errorKind: 'poll' }),
    goneFailed: await addFile(t.db, { url: url('gone-failed'), status: 'error', errorKind: 'gone' }),
    goneNoExcerpt: await addFile(t.db, {
      url: url('gone-no-excerpt'),
      status: 'completed',
      errorKind: 'gone',
      audioDurationS: 600,
    }),
    goneWithExcerpt: await addFile(t.db, {
      url: url('gone-with-excerpt'),
      status: 'completed',
      errorKind: 'gone',
      excerpt: true,
    }),
    goneAnswered: await addFile(t.db, { url: url('gone-answered'), status: 'completed', errorKind: 'gone' }),
    tagFailed: await addFile(t.db, { url: url('tag-failed'), status: 'completed', audioDurationS: 1200 }),
  };
  await addResult(t.db, f.goneNoExcerpt as number, media, 'error');
  await addResult(t.db, f.goneAnswered as number, media, 'unmatched');
  await addResult(t.db, f.tagFailed as number, media, 'error');
  await linkFiles(t.db, batchId, Object.values(f));
});
afterAll(async () => {
  await t.drop();
});

const state = async (id: number | undefined) =>
  (
    await t.db.execute(sql`
      SELECT m.transcript_status, m.transcript_id, m.failed_transcript_ids, m.error_kind, r.status AS tag_status
        FROM media_files m LEFT JOIN tag_results r ON r.media_file_id = m.id WHERE m.id = ${id ?? 0}`)
  ).rows[0];

describe('retry', () => {
  it('finds the files only a new transcript can help: gone before read, or gone unanswered without an excerpt', async () => {
    const gone = await goneFiles(t.db, batchId);
    expect(gone.files.map((g) => g.id).sort()).toEqual([f.goneFailed, f.goneNoExcerpt].sort());
    expect(gone.files.find((g) => g.id === f.goneNoExcerpt)?.seconds).toBe(600);
    expect(gone.files.find((g) => g.id === f.goneFailed)?.seconds).toBeNull();
    expect(gone.meanSeconds).toBe(900);
  });

  it('puts each failed file back where work on it can start, in one transaction', async () => {
    const done = await requeueFailed(t.db, batchId, []);
    expect({ ...done, retag: done.retag.sort() }).toEqual({
      resubmit: [f.api],
      repoll: [f.poll],
      retag: [f.tagFailed, f.goneNoExcerpt].sort(),
      again: [],
    });
    expect(await state(f.api)).toMatchObject({
      transcript_status: 'pending',
      transcript_id: null,
      failed_transcript_ids: ['tx-https://retry.example.com/api.mp3'],
      error_kind: null,
    });
    expect(await state(f.poll)).toMatchObject({ transcript_status: 'queued', error_kind: null });
    expect(await state(f.tagFailed)).toMatchObject({ tag_status: 'pending' });
    expect(await state(f.goneFailed)).toMatchObject({ transcript_status: 'error', error_kind: 'gone' });
  });

  it('transcribes the confirmed gone files again, keeping their old ids', async () => {
    await t.db.execute(
      sql`UPDATE tag_results SET status = 'error' WHERE media_file_id = ${f.goneNoExcerpt ?? 0}`,
    );
    const done = await requeueFailed(t.db, batchId, [f.goneFailed as number, f.goneNoExcerpt as number]);
    expect(done.again.sort()).toEqual([f.goneFailed, f.goneNoExcerpt].sort());
    for (const id of done.again)
      expect(await state(id)).toMatchObject({
        transcript_status: 'pending',
        transcript_id: null,
        error_kind: null,
      });
    expect((await state(f.goneNoExcerpt))?.tag_status).toBe('pending');
    expect(await goneFiles(t.db, batchId)).toEqual({ files: [], meanSeconds: null });
  });

  it('changes nothing when a statement fails part-way', async () => {
    await t.db.execute(
      sql`UPDATE media_files SET transcript_status = 'error', error_kind = 'api' WHERE id = ${f.api ?? 0}`,
    );
    // A file id that is not a bigint makes the gone update fail after the first two updates ran.
    await expect(requeueFailed(t.db, batchId, [Number.NaN])).rejects.toThrow();
    expect(await state(f.api)).toMatchObject({ transcript_status: 'error', error_kind: 'api' });
  });
});
