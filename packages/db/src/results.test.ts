import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taggedFilesColumns, taggedFilesPage } from './results.ts';
import { findTaxonomy } from './taxonomies.ts';
import { addBatch, addFile, addResult, createTestDatabase, linkFiles, type TestDatabase } from './testing.ts';

let t: TestDatabase;
let batchId: number;
let files: number[];
beforeAll(async () => {
  t = await createTestDatabase();
  const media = (await findTaxonomy(t.db, 'media'))?.id ?? 0;
  batchId = await addBatch(t.db, 'export', media);
  files = [];
  for (const n of [1, 2, 3])
    files.push(await addFile(t.db, { url: `https://results.example.com/${n}.mp3`, status: 'completed' }));
  await addResult(t.db, files[0] as number, media, 'tagged');
  await linkFiles(t.db, batchId, files);
});
afterAll(async () => {
  await t.drop();
});

describe('tagged_files export', () => {
  it('lists the view columns in order, marking those pg hands over as strings of numbers', async () => {
    const columns = await taggedFilesColumns(t.db);
    expect(columns.slice(0, 3).map((c) => c.name)).toEqual(['batch', 'url', 'transcript_id']);
    expect(columns.filter((c) => c.numeric).map((c) => c.name)).toEqual([
      'media_file_id',
      'transcription_cost_usd',
      'llm_cost_usd',
    ]);
  });

  it('pages a batch in file order, with the chosen columns and timestamps as Dates', async () => {
    const columns = ['url', 'topic', 'created_at'];
    const first = await taggedFilesPage(t.db, { batchId, columns, afterFileId: 0, limit: 2 });
    expect(first.rows.map((r) => Object.keys(r))).toEqual([columns, columns]);
    expect(first.rows.map((r) => r.url)).toEqual([
      'https://results.example.com/1.mp3',
      'https://results.example.com/2.mp3',
    ]);
    expect(first.rows[0]?.topic).toBe('Sports');
    expect(first.rows[0]?.created_at).toBeInstanceOf(Date);
    expect(first.next).toBe(files[1]);
    const second = await taggedFilesPage(t.db, { batchId, columns, afterFileId: first.next ?? 0, limit: 2 });
    expect(second.rows.map((r) => r.url)).toEqual(['https://results.example.com/3.mp3']);
    expect(second.next).toBeNull();
  });
});
