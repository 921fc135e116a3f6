import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batches, batchFiles, mediaFiles, taggedFiles, tagResults } from './schema.ts';
import { addTaxonomy, findTaxonomy, listTaxonomies } from './taxonomies.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

describe('schema', () => {
  it('versions a taxonomy only when its tags change', async () => {
    const tags = [
      { name: 'Cats', description: 'Felines.' },
      { name: 'Dogs', description: 'Canines.' },
    ];
    const a = await addTaxonomy(t.db, 'pets', tags);
    const b = await addTaxonomy(t.db, 'pets', tags);
    const c = await addTaxonomy(t.db, 'pets', [...tags, { name: 'Birds', description: 'Avians.' }]);
    expect([a.created, b.created, c.created]).toEqual([true, false, true]);
    expect([a.taxonomy.version, b.taxonomy.version, c.taxonomy.version]).toEqual([1, 1, 2]);
    expect((await findTaxonomy(t.db, 'pets'))?.tags.map((x) => x.name)).toEqual(['Cats', 'Dogs', 'Birds']);
    expect((await listTaxonomies(t.db)).map((x) => `${x.name}@${x.version}`)).toEqual([
      'media@1',
      'pets@2',
      'support-calls@1',
    ]);
  });

  it('re-adding a preset unchanged makes no new version', async () => {
    const media = await findTaxonomy(t.db, 'media');
    if (!media) throw new Error('media preset missing');
    const again = await addTaxonomy(t.db, 'media', media.tags);
    expect(again.created).toBe(false);
  });

  it('rejects duplicate tag names regardless of case', async () => {
    await expect(
      addTaxonomy(t.db, 'dupes', [
        { name: 'Billing', description: '' },
        { name: 'billing', description: '' },
      ]),
    ).rejects.toThrow(/appears twice/);
  });

  it('refuses a topic that is not a tag of the taxonomy, even from raw SQL', async () => {
    const media = await findTaxonomy(t.db, 'media');
    if (!media) throw new Error('media preset missing');
    const [file] = await t.db.insert(mediaFiles).values({ url: 'https://example.com/a.mp3' }).returning();
    if (!file) throw new Error('no row');
    await expect(
      t.db
        .insert(tagResults)
        .values({ mediaFileId: file.id, taxonomyId: media.id, status: 'tagged', topic: 'Cooking' }),
    ).rejects.toThrow();
    await t.db
      .insert(tagResults)
      .values({ mediaFileId: file.id, taxonomyId: media.id, status: 'tagged', topic: 'Sports' });
    const [batch] = await t.db.insert(batches).values({ name: 'b1', taxonomyId: media.id }).returning();
    if (!batch) throw new Error('no row');
    await t.db.insert(batchFiles).values({ batchId: batch.id, mediaFileId: file.id });
    const rows = await t.db.select().from(taggedFiles).where(eq(taggedFiles.batch, 'b1'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      batch: 'b1',
      url: 'https://example.com/a.mp3',
      taxonomy: 'media',
      topic: 'Sports',
      transcriptStatus: 'pending',
      tagStatus: 'tagged',
    });
  });

  it('uses the indexes for topic counts per batch and stuck files', async () => {
    await t.db.execute(sql`SET enable_seqscan = off`);
    const plan = await t.db.execute(sql`EXPLAIN SELECT transcript_status, count(*) FROM media_files
      WHERE transcript_status = 'processing' AND updated_at < now() - interval '1 hour' GROUP BY 1`);
    expect(JSON.stringify(plan.rows)).toContain('media_files_unfinished_idx');
    await t.db.execute(sql`RESET enable_seqscan`);
  });
});
