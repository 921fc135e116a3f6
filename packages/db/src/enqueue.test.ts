import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LinkedItem, linkToBatch } from './enqueue.ts';
import { findTaxonomy } from './taxonomies.ts';
import { addBatch, addFile, addResult, createTestDatabase, type TestDatabase } from './testing.ts';
import { recordUpload, urlOfContent } from './uploads.ts';

let t: TestDatabase;
let batch: { id: number; taxonomyId: number };
beforeAll(async () => {
  t = await createTestDatabase();
  const media = (await findTaxonomy(t.db, 'media'))?.id ?? 0;
  batch = { id: await addBatch(t.db, 'enq', media), taxonomyId: media };
});
afterAll(async () => {
  await t.drop();
});

const linked = (rows: LinkedItem[]) => rows.flatMap((r) => (r.skipped ? [] : [r]));
const episode = (guid: string, url: string) => ({
  url,
  source: 'rss' as const,
  guid,
  title: `Episode ${guid}`,
  publishedAt: new Date(Date.UTC(2024, 1, 1)),
  episodeDurationS: 600,
  feedTitle: 'The Show',
  feedUrl: 'https://example.com/feed.xml',
  metadata: { enclosure_type: 'audio/mpeg' },
});

describe('linkToBatch', () => {
  it('adds unknown URLs, links known ones, and reports each file with what it needs', async () => {
    const done = await addFile(t.db, { url: 'https://enq.example.com/done.mp3', status: 'completed' });
    const answered = await addFile(t.db, {
      url: 'https://enq.example.com/answered.mp3',
      status: 'completed',
    });
    await addResult(t.db, answered, batch.taxonomyId, 'tagged');
    const rows = linked(
      await linkToBatch(t.db, batch, [
        { url: 'https://enq.example.com/new.mp3' },
        { url: 'https://enq.example.com/done.mp3' },
        { url: 'https://enq.example.com/answered.mp3' },
      ]),
    );
    const byUrl = new Map(rows.map((r) => [r.url.replace('https://enq.example.com/', ''), r]));
    expect(byUrl.get('new.mp3')).toMatchObject({
      added: true,
      transcriptStatus: 'pending',
      needsTagging: false,
    });
    expect(byUrl.get('done.mp3')).toMatchObject({ fileId: done, added: true, needsTagging: true });
    expect(byUrl.get('answered.mp3')).toMatchObject({ fileId: answered, added: true, needsTagging: false });

    const again = linked(await linkToBatch(t.db, batch, [{ url: 'https://enq.example.com/new.mp3' }]));
    expect(again).toMatchObject([{ added: false, inBatch: true, fileId: byUrl.get('new.mp3')?.fileId }]);
  });

  it('stores feed fields, and skips an item whose (feed, guid) the batch has, whatever its URL', async () => {
    await linkToBatch(t.db, batch, [episode('g1', 'https://cdn.example.com/g1.mp3')]);
    const moved = await linkToBatch(t.db, batch, [
      episode('g1', 'https://new-cdn.example.com/g1.mp3'),
      episode('g2', 'https://cdn.example.com/g2.mp3'),
    ]);
    expect(moved.map((r) => [r.url, r.skipped])).toEqual(
      expect.arrayContaining([
        ['https://new-cdn.example.com/g1.mp3', true],
        ['https://cdn.example.com/g2.mp3', false],
      ]),
    );
    const { rows } = await t.db.execute<Record<string, unknown>>(sql`
      SELECT bf.guid, bf.title, bf.episode_duration_s, bf.feed_title, bf.metadata, m.source,
             bf.published_at = '2024-02-01T00:00:00Z' AS published
        FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id
       WHERE bf.guid IS NOT NULL ORDER BY bf.guid`);
    expect(rows).toEqual([
      {
        guid: 'g1',
        title: 'Episode g1',
        episode_duration_s: 600,
        feed_title: 'The Show',
        metadata: { enclosure_type: 'audio/mpeg' },
        source: 'rss',
        published: true,
      },
      expect.objectContaining({ guid: 'g2' }),
    ]);
    const { rows: made } = await t.db.execute(
      sql`SELECT 1 FROM media_files WHERE url = 'https://new-cdn.example.com/g1.mp3'`,
    );
    expect(made).toEqual([]);
  });

  it('two enqueues of the same new URLs at once make one row per URL, both linked', async () => {
    const urls = Array.from({ length: 300 }, (_, i) => ({ url: `https://race.example.com/${i}.mp3` }));
    const other = { id: await addBatch(t.db, 'race', batch.taxonomyId), taxonomyId: batch.taxonomyId };
    const [a, b] = await Promise.all([linkToBatch(t.db, batch, urls), linkToBatch(t.db, other, urls)]);
    expect(linked(a).filter((r) => r.added)).toHaveLength(300);
    expect(linked(b).filter((r) => r.added)).toHaveLength(300);
    const { rows } = await t.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM media_files WHERE url LIKE 'https://race.example.com/%'`,
    );
    expect(rows[0]?.n).toBe(300);
  });
});

describe('uploads', () => {
  it('records one file per content: a second upload of the same content is refused', async () => {
    expect(await urlOfContent(t.db, 'aa11')).toBeUndefined();
    const first = {
      uploadUrl: 'https://cdn.assemblyai.com/upload/1',
      localPath: '/a/one.mp3',
      contentHash: 'aa11',
    };
    expect(await recordUpload(t.db, first)).toBe(true);
    expect(await recordUpload(t.db, { ...first, uploadUrl: 'https://cdn.assemblyai.com/upload/2' })).toBe(
      false,
    );
    expect(await urlOfContent(t.db, 'aa11')).toBe('https://cdn.assemblyai.com/upload/1');
    const { rows } = await t.db.execute(
      sql`SELECT source, local_path FROM media_files WHERE content_hash = 'aa11'`,
    );
    expect(rows).toEqual([{ source: 'upload', local_path: '/a/one.mp3' }]);
  });
});
