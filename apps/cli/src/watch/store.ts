// The `feeds` table: one row per feed a batch watches, with what the last fetch learnt.
import type { Db } from '@mediatag/db';

/** A watched feed as the cycle reads it. */
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

const COLUMNS = `id, url, key_url, title, etag, last_modified, consecutive_failures, failing_since, next_fetch_at`;

function toRow(r: Record<string, unknown>): FeedRow {
  return {
    id: Number(r.id),
    url: r.url as string,
    keyUrl: r.key_url as string,
    title: (r.title as string | null) ?? null,
    etag: (r.etag as string | null) ?? null,
    lastModified: (r.last_modified as string | null) ?? null,
    consecutiveFailures: Number(r.consecutive_failures),
    failingSince: (r.failing_since as Date | null) ?? null,
    nextFetchAt: (r.next_fetch_at as Date | null) ?? null,
  };
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
  const found = await db.$client.query(
    `SELECT ${COLUMNS} FROM feeds WHERE batch_id = $1 AND (url = $2 OR key_url = $2 OR $2 = ANY (aliases))
     ORDER BY id LIMIT 1`,
    [batchId, url],
  );
  if (found.rows[0]) return toRow(found.rows[0]);
  const made = await db.$client.query(
    `INSERT INTO feeds (batch_id, url, key_url, title) VALUES ($1, $2, $2, $3)
     ON CONFLICT (batch_id, key_url) DO UPDATE SET updated_at = now() RETURNING ${COLUMNS}`,
    [batchId, url, title],
  );
  return toRow(made.rows[0]);
}

/** A 304: nothing new, and the feed is healthy. */
export async function recordNotModified(db: Db, id: number): Promise<void> {
  await db.$client.query(
    `UPDATE feeds SET last_fetched_at = now(), last_status = 304, last_error = NULL, consecutive_failures = 0,
       failing_since = NULL, next_fetch_at = NULL, not_modified_count = not_modified_count + 1, updated_at = now()
     WHERE id = $1`,
    [id],
  );
}

/** A 200 read to the end: new validators, title and counts. */
export async function recordFetched(
  db: Db,
  id: number,
  f: { etag: string | null; lastModified: string | null; title: string | null; items: number; added: number },
): Promise<void> {
  await db.$client.query(
    `UPDATE feeds SET last_fetched_at = now(), last_status = 200, last_error = NULL, consecutive_failures = 0,
       failing_since = NULL, next_fetch_at = NULL, etag = $2, last_modified = $3, title = coalesce($4, title),
       items_seen = $5, episodes_added = episodes_added + $6, updated_at = now()
     WHERE id = $1`,
    [id, f.etag, f.lastModified, f.title, f.items, f.added],
  );
}

/** A failed fetch: counted, its reason kept, and not tried again before `nextFetchAt`. */
export async function recordFailure(
  db: Db,
  id: number,
  f: { status: number | null; error: string; nextFetchAt: Date },
): Promise<{ failures: number; failingSince: Date }> {
  const { rows } = await db.$client.query(
    `UPDATE feeds SET last_fetched_at = now(), last_status = $2, last_error = $3,
       consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now()),
       next_fetch_at = $4, updated_at = now()
     WHERE id = $1 RETURNING consecutive_failures, failing_since`,
    [id, f.status, f.error.slice(0, 2000), f.nextFetchAt],
  );
  return {
    failures: Number(rows[0]?.consecutive_failures ?? 1),
    failingSince: rows[0]?.failing_since ?? new Date(),
  };
}

/**
 * The feed moved (a permanent redirect or `<itunes:new-feed-url>`): fetch it at `url` from
 * now on and forget the old validators; the old URL stays an alias and `key_url` is unchanged.
 */
export async function moveFeed(db: Db, id: number, url: string): Promise<void> {
  await db.$client.query(
    `UPDATE feeds SET aliases = CASE WHEN url = ANY (aliases) THEN aliases ELSE array_append(aliases, url) END,
       url = $2, etag = NULL, last_modified = NULL, updated_at = now()
     WHERE id = $1 AND url <> $2`,
    [id, url],
  );
}

/** One line per watched feed of a batch (or of every batch) for `mediatag status`. */
export async function feedStatusLines(db: Db, batch: string | undefined): Promise<string[]> {
  const { rows } = await db.$client.query(
    `SELECT b.name AS batch, f.url, f.title, f.last_fetched_at, f.last_status, f.last_error, f.items_seen,
            f.episodes_added, f.consecutive_failures, f.failing_since, f.next_fetch_at,
            f.failing_since < now() - interval '1 day' AS dead
       FROM feeds f JOIN batches b ON b.id = f.batch_id
      WHERE $1::text IS NULL OR b.name = $1 ORDER BY b.name, f.id`,
    [batch ?? null],
  );
  return rows.map((r) => {
    const name = r.title ? `${r.title} <${r.url}>` : r.url;
    const seen = r.last_fetched_at
      ? `last fetched ${(r.last_fetched_at as Date).toISOString()} (${r.last_status})`
      : 'not fetched yet';
    const health =
      r.consecutive_failures > 0
        ? `${r.dead ? 'DEAD: failing for over a day' : 'FAILING'} (${r.consecutive_failures}× since ${(r.failing_since as Date).toISOString()}): ${r.last_error}; next try ${(r.next_fetch_at as Date | null)?.toISOString() ?? 'next cycle'}`
        : 'ok';
    return `  feed ${r.batch}: ${name}: ${seen}, ${r.items_seen} items, ${r.episodes_added} episodes added, ${health}`;
  });
}
