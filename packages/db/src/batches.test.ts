import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cappedBatches,
  createBatch,
  deleteBatch,
  findBatch,
  findBatchWithTaxonomy,
  missingBatches,
  setBatchCap,
  setBatchTaxonomy,
  unsubmittedFiles,
} from './batches.ts';
import { findTaxonomy } from './taxonomies.ts';
import { addFile, createTestDatabase, linkFiles, type TestDatabase } from './testing.ts';

let t: TestDatabase;
let media: number;
let calls: number;
beforeAll(async () => {
  t = await createTestDatabase();
  media = (await findTaxonomy(t.db, 'media'))?.id ?? 0;
  calls = (await findTaxonomy(t.db, 'support-calls'))?.id ?? 0;
});
afterAll(async () => {
  await t.drop();
});

describe('batches', () => {
  it('creates a batch once: a second create of the name returns the first, its taxonomy kept', async () => {
    const a = await createBatch(t.db, {
      name: 'a',
      taxonomyId: media,
      transcriptionOptions: { speaker_labels: true },
    });
    const again = await createBatch(t.db, { name: 'a', taxonomyId: calls, transcriptionOptions: null });
    expect(again).toEqual(a);
    expect(await findBatchWithTaxonomy(t.db, 'a')).toEqual({
      id: a.id,
      taxonomyId: media,
      taxonomy: 'media',
      version: 1,
      options: { speaker_labels: true },
    });
    await setBatchTaxonomy(t.db, a.id, calls);
    expect((await findBatch(t.db, 'a'))?.taxonomyId).toBe(calls);
    expect(await missingBatches(t.db, ['a', 'b', 'c'])).toEqual(['b', 'c']);
    await deleteBatch(t.db, a.id);
    expect(await findBatch(t.db, 'a')).toBeUndefined();
  });

  it('sets and removes a spending cap; lists the capped batches and their unsubmitted files', async () => {
    const b = await createBatch(t.db, { name: 'capped', taxonomyId: media, transcriptionOptions: null });
    await setBatchCap(t.db, b.id, 2.5);
    expect((await findBatch(t.db, 'capped'))?.maxCostUsd).toBe('2.5000');
    expect(await cappedBatches(t.db)).toEqual([{ id: b.id, name: 'capped' }]);
    const files = [
      await addFile(t.db, { url: 'https://cap.example.com/2.mp3' }),
      await addFile(t.db, { url: 'https://cap.example.com/1.mp3', status: 'queued' }),
      await addFile(t.db, { url: 'https://cap.example.com/3.mp3' }),
    ];
    await linkFiles(t.db, b.id, files);
    expect(await unsubmittedFiles(t.db, b.id)).toEqual([files[0], files[2]]);
    await setBatchCap(t.db, b.id, null);
    expect(await cappedBatches(t.db)).toEqual([]);
  });
});
