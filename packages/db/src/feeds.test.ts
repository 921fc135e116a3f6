import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  feedStatuses,
  feedsById,
  moveFeed,
  recordFailure,
  recordFetched,
  recordNotModified,
  subscribe,
} from './feeds.ts';
import { findTaxonomy } from './taxonomies.ts';
import { addBatch, createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
let batchId: number;
beforeAll(async () => {
  t = await createTestDatabase();
  batchId = await addBatch(t.db, 'pods', (await findTaxonomy(t.db, 'media'))?.id ?? 0);
});
afterAll(async () => {
  await t.drop();
});

describe('feeds', () => {
  it('subscribes once per feed, also under a URL it had before it moved', async () => {
    const feed = await subscribe(t.db, batchId, 'https://old.example.com/feed.xml', 'The Show');
    expect(feed).toMatchObject({
      url: 'https://old.example.com/feed.xml',
      keyUrl: feed.url,
      title: 'The Show',
    });
    expect(feed.failingSince).toBeNull();
    await moveFeed(t.db, feed.id, 'https://new.example.com/feed.xml');
    await moveFeed(t.db, feed.id, 'https://new.example.com/feed.xml');
    const [moved] = await feedsById(t.db, [feed.id]);
    expect(moved).toMatchObject({
      url: 'https://new.example.com/feed.xml',
      keyUrl: 'https://old.example.com/feed.xml',
    });
    expect((await subscribe(t.db, batchId, 'https://old.example.com/feed.xml', null)).id).toBe(feed.id);
    expect((await subscribe(t.db, batchId, 'https://new.example.com/feed.xml', null)).id).toBe(feed.id);
    const { rows } = await t.db.execute(sql`SELECT aliases FROM feeds WHERE id = ${feed.id}`);
    expect(rows).toEqual([{ aliases: ['https://old.example.com/feed.xml'] }]);
  });

  it('counts failures from the first one, clears them on a read, and reports a feed failing for a day as dead', async () => {
    const feed = await subscribe(t.db, batchId, 'https://flaky.example.com/feed.xml', null);
    const next = new Date(Date.now() + 60_000);
    const first = await recordFailure(t.db, feed.id, { status: 503, error: 'busy', nextFetchAt: next });
    const second = await recordFailure(t.db, feed.id, {
      status: null,
      error: 'timed out',
      nextFetchAt: next,
    });
    expect(first.failures).toBe(1);
    expect(second).toEqual({ failures: 2, failingSince: first.failingSince });
    expect(first.failingSince).toBeInstanceOf(Date);
    const [failing] = await feedsById(t.db, [feed.id]);
    expect(failing?.nextFetchAt?.toISOString()).toBe(next.toISOString());

    await t.db.execute(sql`UPDATE feeds SET failing_since = now() - interval '2 days' WHERE id = ${feed.id}`);
    const dead = (await feedStatuses(t.db, 'pods')).find((f) => f.url === feed.url);
    expect(dead).toMatchObject({
      dead: true,
      consecutiveFailures: 2,
      lastError: 'timed out',
      lastStatus: null,
    });

    await recordFetched(t.db, feed.id, {
      etag: '"v1"',
      lastModified: null,
      title: 'Flaky',
      items: 3,
      added: 2,
    });
    await recordNotModified(t.db, feed.id);
    const [ok] = await feedsById(t.db, [feed.id]);
    expect(ok).toMatchObject({ etag: '"v1"', title: 'Flaky', consecutiveFailures: 0, failingSince: null });
    const status = (await feedStatuses(t.db, undefined)).find((f) => f.url === feed.url);
    expect(status).toMatchObject({
      batch: 'pods',
      itemsSeen: 3,
      episodesAdded: 2,
      lastStatus: 304,
      dead: false,
    });
    expect(status?.lastFetchedAt).toBeInstanceOf(Date);
    expect(await feedStatuses(t.db, 'no such batch')).toEqual([]);
  });
});
