import type { Db } from '@mediatag/db';
import { addJobs, type Queues } from '@mediatag/queue';

/** Totals of one enqueue run. */
export interface WriteTotals {
  added: number;
  alreadyKnown: number;
  /** Added files that already had a finished transcript: tagged only, no new transcription. */
  reused: number;
  transcribeJobs: number;
  tagJobs: number;
}

const CHUNK = 1000;

// One statement per chunk: insert unknown URLs, link every URL to the batch, and report
// each file's state. Rows already in media_files are locked FOR SHARE, so a transcript that
// completes meanwhile either commits first (we see `completed` and add the tag job) or waits
// for us (its completion then sees this batch). New rows are locked by our own insert.
// Feed items whose (feed, guid) the batch already has are skipped before any row is made.
const LINK_SQL = `
WITH input AS (
  SELECT DISTINCT ON (url) * FROM unnest($1::text[], $2::jsonb[], $5::text[], $6::text[], $7::text[],
    $8::timestamptz[], $9::int[], $10::text[], $11::text[])
    AS i (url, metadata, source, title, guid, published_at, episode_duration_s, feed_title, feed_url)
), fresh AS (
  SELECT * FROM input i WHERE i.guid IS NULL OR i.feed_url IS NULL OR NOT EXISTS (
    SELECT 1 FROM batch_files bf WHERE bf.batch_id = $3 AND bf.feed_url = i.feed_url AND bf.guid = i.guid)
), existing AS (
  -- = ANY($1) is an index lookup; IN (SELECT … FROM fresh) planned as a scan of the whole table.
  SELECT m.id, m.url, m.transcript_status FROM media_files m WHERE m.url = ANY ($1::text[])
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
  SELECT $3, f.id, i.metadata, i.title, i.guid, i.published_at, i.episode_duration_s, i.feed_title, i.feed_url
  FROM files f JOIN fresh i USING (url)
  ON CONFLICT DO NOTHING
  RETURNING media_file_id
)
SELECT f.id, f.url, f.transcript_status, false AS skipped,
       EXISTS (SELECT 1 FROM linked l WHERE l.media_file_id = f.id) AS added,
       EXISTS (SELECT 1 FROM batch_files bf WHERE bf.batch_id = $3 AND bf.media_file_id = f.id) AS in_batch,
       EXISTS (SELECT 1 FROM tag_results r WHERE r.media_file_id = f.id AND r.taxonomy_id = $4
               AND r.status IN ('tagged', 'unmatched')) AS tagged
FROM files f
UNION ALL
SELECT NULL, i.url, NULL, true, false, false, false FROM input i
WHERE NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.url = i.url)`;

/** Per-item columns besides the URL: where it came from and, for feed items, what it is. */
export interface ItemFields {
  metadata?: Record<string, string> | null;
  source?: 'url' | 'rss' | 'upload' | 's3';
  title?: string | null;
  guid?: string | null;
  publishedAt?: Date | null;
  episodeDurationS?: number | null;
  feedTitle?: string | null;
  feedUrl?: string | null;
}

const COLUMNS = [
  'metadata',
  'source',
  'title',
  'guid',
  'publishedAt',
  'episodeDurationS',
  'feedTitle',
  'feedUrl',
] as const;
type Column = (typeof COLUMNS)[number];

/**
 * Writes a batch's files to Postgres in chunks of 1,000 (one statement each), then adds
 * their jobs with `addBulk` and deterministic ids. Postgres first: a crash between the two
 * leaves rows that `reconcile` (or running the same enqueue again) turns into jobs.
 */
export class BatchWriter {
  readonly totals: WriteTotals = { added: 0, alreadyKnown: 0, reused: 0, transcribeJobs: 0, tagJobs: 0 };
  private urls: string[] = [];
  private fields: Record<Column, unknown[]> = emptyColumns();
  private seen = new Set<string>();
  private jobsInFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly queues: Queues,
    private readonly batch: { id: number; taxonomyId: number },
  ) {}

  /** Buffers one URL; writes when the chunk is full. */
  async add(url: string, item: ItemFields = {}): Promise<void> {
    if (this.seen.has(url)) {
      this.totals.alreadyKnown += 1;
      return;
    }
    this.seen.add(url);
    this.urls.push(url);
    this.fields.metadata.push(item.metadata ? JSON.stringify(item.metadata) : null);
    this.fields.source.push(item.source ?? 'url');
    for (const c of COLUMNS.slice(2)) this.fields[c].push(item[c] ?? null);
    if (this.urls.length >= CHUNK) await this.writeChunk();
  }

  /** Writes what is buffered and waits until its jobs are in Redis. */
  async flush(): Promise<void> {
    await this.writeChunk();
    await this.jobsInFlight;
  }

  // Postgres for this chunk runs while Redis still takes the previous chunk's jobs; at most
  // one chunk of jobs is pending, and every chunk's rows are committed before its jobs exist.
  private async writeChunk(): Promise<void> {
    if (this.urls.length === 0) return;
    const urls = this.urls;
    const fields = this.fields;
    this.urls = [];
    this.fields = emptyColumns();
    this.seen = new Set();
    const rows = await this.link(urls, fields);
    await this.jobsInFlight;
    const transcribe: { fileId: number }[] = [];
    const tag: { fileId: number; taxonomyId: number }[] = [];
    for (const row of rows) {
      if (row.skipped) {
        this.totals.alreadyKnown += 1;
        continue;
      }
      const id = Number(row.id);
      if (row.added) this.totals.added += 1;
      else this.totals.alreadyKnown += 1;
      // Only files of this batch get jobs: a skipped feed item must never be paid for.
      if (!row.added && !row.in_batch) continue;
      if (row.transcript_status === 'pending') transcribe.push({ fileId: id });
      else if (row.transcript_status === 'completed' && !row.tagged) {
        tag.push({ fileId: id, taxonomyId: this.batch.taxonomyId });
        if (row.added) this.totals.reused += 1;
      }
    }
    this.totals.transcribeJobs += transcribe.length;
    this.totals.tagJobs += tag.length;
    this.jobsInFlight = (async () => {
      await addJobs(this.queues, 'transcribe', transcribe);
      await addJobs(this.queues, 'tag', tag);
    })();
    // Awaited by the next chunk or by flush(); this only keeps Node from calling it unhandled meanwhile.
    this.jobsInFlight.catch(() => undefined);
  }

  // A URL inserted by a concurrent enqueue after our snapshot is in neither `existing` nor
  // `inserted`; running the statement again for those picks them up as existing rows.
  private async link(urls: string[], fields: Record<Column, unknown[]>) {
    const rows: Record<string, unknown>[] = [];
    let todo = { urls, fields };
    for (let attempt = 0; attempt < 5 && todo.urls.length > 0; attempt++) {
      const { urls: u, fields: f } = todo;
      const params = [
        u,
        f.metadata,
        this.batch.id,
        this.batch.taxonomyId,
        ...COLUMNS.slice(1).map((c) => f[c]),
      ];
      const result = await this.withDeadlockRetry(() => this.db.$client.query(LINK_SQL, params));
      rows.push(...result.rows);
      const got = new Set(result.rows.map((r) => r.url as string));
      const keep = u.map((url, i) => (got.has(url) ? -1 : i)).filter((i) => i >= 0);
      const next = emptyColumns();
      for (const c of COLUMNS) next[c] = keep.map((i) => f[c][i] ?? null);
      todo = { urls: keep.map((i) => u[i] as string), fields: next };
    }
    if (todo.urls.length > 0) throw new Error(`could not link ${todo.urls.length} URLs to the batch`);
    return rows;
  }

  private async withDeadlockRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }
}

function emptyColumns(): Record<Column, unknown[]> {
  return Object.fromEntries(COLUMNS.map((c) => [c, []])) as unknown as Record<Column, unknown[]>;
}
