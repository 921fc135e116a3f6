// Adding media to a batch: `media_files` rows for unknown URLs and their `batch_files` links.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { queryErrorCause } from './query-error.ts';
import type { TranscriptStatus } from './schema.ts';

/** One item to add: its URL and, for feed items and CSV rows, what it is. */
export interface BatchItem {
  url: string;
  metadata?: Record<string, string> | null;
  source?: 'url' | 'rss' | 'upload' | 's3';
  title?: string | null;
  guid?: string | null;
  publishedAt?: Date | null;
  episodeDurationS?: number | null;
  feedTitle?: string | null;
  feedUrl?: string | null;
}

/** What linking did with one URL, and the state of its file. */
export type LinkedItem =
  | { url: string; skipped: true }
  | {
      url: string;
      /** A feed item whose (feed, guid) the batch already has: no row was made or linked. */
      skipped: false;
      fileId: number;
      transcriptStatus: TranscriptStatus;
      /** Linked to the batch by this call. */
      added: boolean;
      /** Linked to the batch before this call. */
      inBatch: boolean;
      /** `needs_tagging` with the batch's taxonomy (migrations/0011_needs_tagging.sql). */
      needsTagging: boolean;
    };

interface LinkRow extends Record<string, unknown> {
  id: string | null;
  url: string;
  transcript_status: TranscriptStatus | null;
  skipped: boolean;
  added: boolean;
  in_batch: boolean;
  needs_tagging: boolean;
}

// One statement per call: insert unknown URLs, link every URL to the batch, and report each
// file's state. Rows already in media_files are locked FOR SHARE, so a transcript that
// completes meanwhile either commits first (we see `completed` and say it needs tagging) or
// waits for us (its completion then sees this batch). New rows are locked by our own insert.
// Feed items whose (feed, guid) the batch already has are skipped before any row is made.
function linkStatement(batch: { id: number; taxonomyId: number }, items: BatchItem[]) {
  const column = <T>(f: (i: BatchItem) => T) => sql.param(items.map(f));
  return sql`
WITH input AS (
  SELECT DISTINCT ON (url) * FROM unnest(
    ${column((i) => i.url)}::text[],
    ${column((i) => (i.metadata ? JSON.stringify(i.metadata) : null))}::jsonb[],
    ${column((i) => i.source ?? 'url')}::text[],
    ${column((i) => i.title ?? null)}::text[],
    ${column((i) => i.guid ?? null)}::text[],
    ${column((i) => i.publishedAt ?? null)}::timestamptz[],
    ${column((i) => i.episodeDurationS ?? null)}::int[],
    ${column((i) => i.feedTitle ?? null)}::text[],
    ${column((i) => i.feedUrl ?? null)}::text[])
    AS i (url, metadata, source, title, guid, published_at, episode_duration_s, feed_title, feed_url)
), fresh AS (
  SELECT * FROM input i WHERE i.guid IS NULL OR i.feed_url IS NULL OR NOT EXISTS (
    SELECT 1 FROM batch_files bf WHERE bf.batch_id = ${batch.id}::int AND bf.feed_url = i.feed_url AND bf.guid = i.guid)
), existing AS (
  -- = ANY (array) is an index lookup; IN (SELECT … FROM fresh) planned as a scan of the whole table.
  SELECT m.id, m.url, m.transcript_status FROM media_files m
   WHERE m.url = ANY (${column((i) => i.url)}::text[])
  ORDER BY m.id FOR SHARE
), inserted AS (
  INSERT INTO media_files (url, source)
  SELECT url, source FROM fresh WHERE url NOT IN (SELECT url FROM existing)
  ON CONFLICT (url) DO NOTHING
  RETURNING id, url, transcript_status
), files AS (
  SELECT * FROM existing WHERE url IN (SELECT url FROM fresh) UNION ALL SELECT * FROM inserted
), linked AS (
  INSERT INTO batch_files (batch_id, media_file_id, metadata, title, guid, published_at, episode_duration_s,
                           feed_title, feed_url)
  SELECT ${batch.id}::int, f.id, i.metadata, i.title, i.guid, i.published_at, i.episode_duration_s,
         i.feed_title, i.feed_url
  FROM files f JOIN fresh i USING (url)
  ON CONFLICT DO NOTHING
  RETURNING media_file_id
)
SELECT f.id, f.url, f.transcript_status, false AS skipped,
       EXISTS (SELECT 1 FROM linked l WHERE l.media_file_id = f.id) AS added,
       EXISTS (SELECT 1 FROM batch_files bf WHERE bf.batch_id = ${batch.id}::int AND bf.media_file_id = f.id)
         AS in_batch,
       needs_tagging(f.transcript_status, (SELECT r.status FROM tag_results r
         WHERE r.media_file_id = f.id AND r.taxonomy_id = ${batch.taxonomyId}::int)) AS needs_tagging
FROM files f
UNION ALL
SELECT NULL, i.url, NULL, true, false, false, false FROM input i
WHERE NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.url = i.url)`;
}

const DEADLOCK = '40P01';

/**
 * Adds items to a batch in one statement (callers send up to about 1,000 at once): unknown
 * URLs become `media_files` rows, every URL is linked in `batch_files` with its item fields,
 * and each is reported with its file's state. A URL inserted by a concurrent enqueue after
 * this statement's snapshot is in neither `existing` nor `inserted`: the statement runs again
 * for those, and again after a deadlock with a concurrent enqueue of the same URLs.
 */
export async function linkToBatch(
  db: Db,
  batch: { id: number; taxonomyId: number },
  items: BatchItem[],
): Promise<LinkedItem[]> {
  const out: LinkedItem[] = [];
  let todo = items;
  for (let attempt = 0; attempt < 5 && todo.length > 0; attempt++) {
    const { rows } = await withDeadlockRetry(() => db.execute<LinkRow>(linkStatement(batch, todo)));
    for (const r of rows) {
      out.push(
        r.skipped || r.id === null || r.transcript_status === null
          ? { url: r.url, skipped: true }
          : {
              url: r.url,
              skipped: false,
              fileId: Number(r.id),
              transcriptStatus: r.transcript_status,
              added: r.added,
              inBatch: r.in_batch,
              needsTagging: r.needs_tagging,
            },
      );
    }
    const got = new Set(rows.map((r) => r.url));
    todo = todo.filter((i) => !got.has(i.url));
  }
  if (todo.length > 0) throw new Error(`could not link ${todo.length} URLs to the batch`);
  return out;
}

async function withDeadlockRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if ((queryErrorCause(error) as { code?: unknown } | null)?.code !== DEADLOCK || attempt >= 5)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
