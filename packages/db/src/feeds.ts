// The `feeds` table: one row per feed a batch watches, with what the last fetch learnt.
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/** A watched feed as a `mediatag watch` cycle reads it. */
export interface FeedRow {
  id: number;
  url: string;
  /** The URL it was first subscribed under: its episodes' identity (batch_files.feed_url). */
  keyUrl: string;
  title: string | null;
  etag: string | null;
  lastModified: string | null;
  consecutiveFailures: number;
  failingSince: Date | null;
  nextFetchAt: Date | null;
}

// drizzle's db.execute hands timestamptz over as Postgres's text, not as a Date.
type Stamp = string | null;

interface StoredFeed extends Record<string, unknown> {
  id: number;
  url: string;
  key_url: string;
  title: string | null;
  etag: string | null;
  last_modified: string | null;
  consecutive_failures: number;
  failing_since: Stamp;
  next_fetch_at: Stamp;
}

const COLUMNS = sql.raw(
  'id, url, key_url, title, etag, last_modified, consecutive_failures, failing_since, next_fetch_at',
);

const dateOf = (s: Stamp) => (s === null ? null : new Date(s));

function toFeed(r: StoredFeed): FeedRow {
  return {
    id: Number(r.id),
    url: r.url,
    keyUrl: r.key_url,
    title: r.title,
    etag: r.etag,
    lastModified: r.last_modified,
    consecutiveFailures: Number(r.consecutive_failures),
    failingSince: dateOf(r.failing_since),
    nextFetchAt: dateOf(r.next_fetch_at),
  };
}

async function feedsWhere(db: Db, where: SQL, order: SQL): Promise<FeedRow[]> {
  const { rows } = await db.execute<StoredFeed>(sql`SELECT ${COLUMNS} FROM feeds WHERE ${where} ${order}`);
  return rows.map(toFeed);
}

/**
 * The batch's row for this feed URL, made on first use. A URL the feed had before it moved
 * finds the same row, so a crontab still naming the old URL does not subscribe twice.
 */
export async function subscribe(
  db: Db,
  batchId: number,
  url: string,
  title: string | null,
): Promise<FeedRow> {
  const [found] = await feedsWhere(
    db,
    sql`batch_id = ${batchId} AND (url = ${url} OR key_url = ${url} OR ${url} = ANY (aliases))`,
    sql`ORDER BY id LIMIT 1`,
  );
  if (found) return found;
  const { rows } = await db.execute<StoredFeed>(sql`
    INSERT INTO feeds (batch_id, url, key_url, title) VALUES (${batchId}, ${url}, ${url}, ${title})
    ON CONFLICT (batch_id, key_url) DO UPDATE SET updated_at = now() RETURNING ${COLUMNS}`);
  const made = rows[0];
  if (!made) throw new Error('feed insert returned no row');
  return toFeed(made);
}

/** The feeds of these ids as stored now, in id order. */
export async function feedsById(db: Db, ids: number[]): Promise<FeedRow[]> {
  return feedsWhere(db, sql`id = ANY (${sql.param(ids)}::int[])`, sql`ORDER BY id`);
}

/** A 304: nothing new, and the feed is healthy. */
export async function recordNotModified(db: Db, id: number): Promise<void> {
  await db.execute(sql`
    UPDATE feeds SET last_fetched_at = now(), last_status = 304, last_error = NULL, consecutive_failures = 0,
      failing_since = NULL, next_fetch_at = NULL, not_modified_count = not_modified_count + 1, updated_at = now()
    WHERE id = ${id}`);
}

/** A 200 read to the end: new validators, title and counts. */
export async function recordFetched(
  db: Db,
  id: number,
  f: { etag: string | null; lastModified: string | null; title: string | null; items: number; added: number },
): Promise<void> {
  await db.execute(sql`
    UPDATE feeds SET last_fetched_at = now(), last_status = 200, last_error = NULL, consecutive_failures = 0,
      failing_since = NULL, next_fetch_at = NULL, etag = ${f.etag}, last_modified = ${f.lastModified},
      title = coalesce(${f.title}, title), items_seen = ${f.items}, episodes_added = episodes_added + ${f.added},
      updated_at = now()
    WHERE id = ${id}`);
}

/** A failed fetch: counted, its reason kept, and not tried again before `nextFetchAt`. */
export async function recordFailure(
  db: Db,
  id: number,
  f: { status: number | null; error: string; nextFetchAt: Date },
): Promise<{ failures: number; failingSince: Date }> {
  const { rows } = await db.execute<{ consecutive_failures: number; failing_since: string }>(sql`
    UPDATE feeds SET last_fetched_at = now(), last_status = ${f.status}, last_error = ${f.error.slice(0, 2000)},
      consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now()),
      next_fetch_at = ${f.nextFetchAt.toISOString()}::timestamptz, updated_at = now()
    WHERE id = ${id} RETURNING consecutive_failures, failing_since`);
  const r = rows[0];
  return {
    failures: Number(r?.consecutive_failures ?? 1),
    failingSince: r ? new Date(r.failing_since) : new Date(),
  };
}

/**
 * The feed moved (a permanent redirect or `<itunes:new-feed-url>`): fetch it at `url` from
 * now on and forget the old validators; the old URL stays an alias and `key_url` is unchanged.
 */
export async function moveFeed(db: Db, id: number, url: string): Promise<void> {
  await db.execute(sql`
    UPDATE feeds SET aliases = CASE WHEN url = ANY (aliases) THEN aliases ELSE array_append(aliases, url) END,
      url = ${url}, etag = NULL, last_modified = NULL, updated_at = now()
    WHERE id = ${id} AND url <> ${url}`);
}

/** How a watched feed is doing, for `mediatag status`. */
export interface FeedStatus {
  batch: string;
  url: string;
  title: string | null;
  lastFetchedAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  itemsSeen: number;
  episodesAdded: number;
  consecutiveFailures: number;
  failingSince: Date | null;
  nextFetchAt: Date | null;
  /** Failing for over a day. */
  dead: boolean;
}

/** Every watched feed of a batch (or of every batch), by batch name then subscription order. */
export async function feedStatuses(db: Db, batch: string | undefined): Promise<FeedStatus[]> {
  const { rows } = await db.execute<{
    batch: string;
    url: string;
    title: string | null;
    last_fetched_at: Stamp;
    last_status: number | null;
    last_error: string | null;
    items_seen: number;
    episodes_added: number;
    consecutive_failures: number;
    failing_since: Stamp;
    next_fetch_at: Stamp;
    dead: boolean | null;
  }>(sql`
    SELECT b.name AS batch, f.url, f.title, f.last_fetched_at, f.last_status, f.last_error, f.items_seen,
           f.episodes_added, f.consecutive_failures, f.failing_since, f.next_fetch_at,
           f.failing_since < now() - interval '1 day' AS dead
      FROM feeds f JOIN batches b ON b.id = f.batch_id
     WHERE ${batch ?? null}::text IS NULL OR b.name = ${batch ?? null}
     ORDER BY b.name, f.id`);
  return rows.map((r) => ({
    batch: r.batch,
    url: r.url,
    title: r.title,
    lastFetchedAt: dateOf(r.last_fetched_at),
    lastStatus: r.last_status,
    lastError: r.last_error,
    itemsSeen: Number(r.items_seen),
    episodesAdded: Number(r.episodes_added),
    consecutiveFailures: Number(r.consecutive_failures),
    failingSince: dateOf(r.failing_since),
    nextFetchAt: dateOf(r.next_fetch_at),
    dead: r.dead === true,
  }));
}
