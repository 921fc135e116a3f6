import { randomBytes } from 'node:crypto';
import { batches, findTaxonomy } from '@mediatag/db';
import { createTestDatabase, type TestDatabase } from '@mediatag/db/testing';
import { createQueues, createRedis, type Queues } from '@mediatag/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriter } from './writer.ts';

let t: TestDatabase;
let queues: Queues;
const redis = createRedis('redis://127.0.0.1:6379', 'worker');
let batch: { id: number; taxonomyId: number };

beforeAll(async () => {
  t = await createTestDatabase();
  queues = createQueues(redis, `mt-test-${randomBytes(4).toString('hex')}`);
  const media = await findTaxonomy(t.db, 'media');
  if (!media) throw new Error('no preset');
  const [row] = await t.db.insert(batches).values({ name: 'feed', taxonomyId: media.id }).returning();
  if (!row) throw new Error('no batch');
  batch = { id: row.id, taxonomyId: media.id };
});
afterAll(async () => {
  for (const q of [queues.transcribe, queues.poll, queues.tag]) await q.obliterate({ force: true });
  await queues.close();
  redis.disconnect();
  await t.drop();
});

const episode = (n: number, url = `https://cdn.example.com/ep${n}.mp3`) => ({
  url,
  fields: {
    source: 'rss' as const,
    title: `Episode ${n}`,
    guid: `guid-${n}`,
    publishedAt: new Date(Date.UTC(2024, n, 1)),
    episodeDurationS: 600 + n,
    feedTitle: 'The Show',
    feedUrl: 'https://example.com/feed.xml',
  },
});

describe('BatchWriter', () => {
  it('stores feed fields as columns, and re-running a feed adds only new guids (no job for a skipped item)', async () => {
    const first = new BatchWriter(t.db, queues, batch);
    for (const n of [1, 2]) await first.add(episode(n).url, episode(n).fields);
    await first.flush();
    expect(first.totals).toMatchObject({ added: 2, alreadyKnown: 0, transcribeJobs: 2 });

    // Same feed again: episode 2 has moved to a new URL (same guid), episode 3 is new.
    const again = new BatchWriter(t.db, queues, batch);
    await again.add(episode(1).url, episode(1).fields);
    const moved = episode(2, 'https://new-cdn.example.com/ep2.mp3');
    await again.add(moved.url, moved.fields);
    await again.add(episode(3).url, episode(3).fields);
    await again.flush();
    expect(again.totals).toMatchObject({ added: 1, alreadyKnown: 2 });

    const { rows } = await t.pool.query(
      `SELECT url, source, title, guid, published_at, episode_duration_s, feed_title FROM tagged_files
       WHERE batch = 'feed' ORDER BY guid`,
    );
    expect(rows.map((r) => [r.guid, r.title, r.source, r.episode_duration_s])).toEqual([
      ['guid-1', 'Episode 1', 'rss', 601],
      ['guid-2', 'Episode 2', 'rss', 602],
      ['guid-3', 'Episode 3', 'rss', 603],
    ]);
    expect(rows[0]?.published_at.toISOString()).toBe('2024-02-01T00:00:00.000Z');
    const { rows: moved2 } = await t.pool.query('SELECT count(*)::int AS n FROM media_files WHERE url = $1', [
      moved.url,
    ]);
    expect(moved2[0].n).toBe(0);
    // Episodes of known length wait as prioritised jobs (longest first).
    expect(await queues.transcribe.getJobCountByTypes('waiting', 'prioritized')).toBe(3);
  });

  it('writes 2,500 URLs in chunks with one job each, and a second pass adds nothing', async () => {
    const w = new BatchWriter(t.db, queues, batch);
    for (let i = 0; i < 2500; i++) await w.add(`https://bulk.example.com/${i}.mp3`);
    await w.add('https://bulk.example.com/0.mp3');
    await w.flush();
    expect(w.totals).toMatchObject({ added: 2500, alreadyKnown: 1 });
    const again = new BatchWriter(t.db, queues, batch);
    for (let i = 0; i < 2500; i++) await again.add(`https://bulk.example.com/${i}.mp3`);
    await again.flush();
    expect(again.totals).toMatchObject({ added: 0, alreadyKnown: 2500 });
    expect(await queues.transcribe.getJobCountByTypes('waiting')).toBe(2500);
    expect(await queues.transcribe.getJobCountByTypes('waiting', 'prioritized')).toBe(2503);
  });

  it('queues files of stated length longest first, after those of unknown length in their order', async () => {
    const q = createQueues(redis, `mt-test-${randomBytes(4).toString('hex')}`);
    try {
      const w = new BatchWriter(t.db, q, batch);
      const lengths = [300, null, 3600, 45, null, 1800, 3600];
      for (const [i, seconds] of lengths.entries()) {
        await w.add(`https://order.example.com/${i}.mp3`, { episodeDurationS: seconds });
      }
      await w.flush();
      // The order a worker takes them in: waiting jobs first (FIFO), then by priority.
      const waiting = await q.transcribe.getJobs(['waiting'], 0, -1, true);
      const prioritized = await q.transcribe.getJobs(['prioritized'], 0, -1, true);
      const { rows } = await t.pool.query(
        `SELECT id, url FROM media_files WHERE url LIKE 'https://order.example.com/%'`,
      );
      const urlOf = new Map(rows.map((r) => [Number(r.id), r.url as string]));
      const order = [...waiting, ...prioritized].map(
        (j) => /(\d+)\.mp3$/.exec(urlOf.get(j.data.fileId) ?? '')?.[1],
      );
      // 1 and 4 have no length; 2 and 6 are an hour (2 was listed first), then 5, 0, 3.
      expect(order).toEqual(['1', '4', '2', '6', '5', '0', '3']);
    } finally {
      await q.transcribe.obliterate({ force: true });
      await q.close();
    }
  });
});
