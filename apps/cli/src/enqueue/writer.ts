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
const LINK_SQL = `
WITH input AS (
  SELECT DISTINCT ON (url) url, metadata FROM unnest($1::text[], $2::jsonb[]) AS i (url, metadata)
), existing AS (
  SELECT m.id, m.url, m.transcript_status FROM media_files m WHERE m.url = ANY ($1::text[])
  ORDER BY m.id FOR SHARE
), inserted AS (
  INSERT INTO media_files (url)
  SELECT url FROM input WHERE url NOT IN (SELECT url FROM existing)
  ON CONFLICT (url) DO NOTHING
  RETURNING id, url, transcript_status
), files AS (
  SELECT * FROM existing UNION ALL SELECT * FROM inserted
), linked AS (
  INSERT INTO batch_files (batch_id, media_file_id, metadata)
  SELECT $3, f.id, i.metadata FROM files f JOIN input i USING (url)
  ON CONFLICT DO NOTHING
  RETURNING media_file_id
)
SELECT f.id, f.url, f.transcript_status,
       EXISTS (SELECT 1 FROM linked l WHERE l.media_file_id = f.id) AS added,
       EXISTS (SELECT 1 FROM tag_results r WHERE r.media_file_id = f.id AND r.taxonomy_id = $4
               AND r.status IN ('tagged', 'unmatched')) AS tagged
FROM files f`;

/**
 * Writes a batch's files to Postgres in chunks of 1,000 (one statement each), then adds
 * their jobs with `addBulk` and deterministic ids. Postgres first: a crash between the two
 * leaves rows that `reconcile` (or running the same enqueue again) turns into jobs.
 */
export class BatchWriter {
  readonly totals: WriteTotals = { added: 0, alreadyKnown: 0, reused: 0, transcribeJobs: 0, tagJobs: 0 };
  private urls: string[] = [];
  private metadata: (string | null)[] = [];
  private seen = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly queues: Queues,
    private readonly batch: { id: number; taxonomyId: number },
  ) {}

  /** Buffers one URL; writes when the chunk is full. */
  async add(url: string, metadata: Record<string, string> | null): Promise<void> {
    if (this.seen.has(url)) {
      this.totals.alreadyKnown += 1;
      return;
    }
    this.seen.add(url);
    this.urls.push(url);
    this.metadata.push(metadata ? JSON.stringify(metadata) : null);
    if (this.urls.length >= CHUNK) await this.flush();
  }

  /** Writes what is buffered. */
  async flush(): Promise<void> {
    if (this.urls.length === 0) return;
    const urls = this.urls;
    const metadata = this.metadata;
    this.urls = [];
    this.metadata = [];
    this.seen = new Set();
    const rows = await this.link(urls, metadata);
    const transcribe: { fileId: number }[] = [];
    const tag: { fileId: number; taxonomyId: number }[] = [];
    for (const row of rows) {
      const id = Number(row.id);
      if (row.added) this.totals.added += 1;
      else this.totals.alreadyKnown += 1;
      if (row.transcript_status === 'pending') transcribe.push({ fileId: id });
      else if (row.transcript_status === 'completed' && !row.tagged) {
        tag.push({ fileId: id, taxonomyId: this.batch.taxonomyId });
        if (row.added) this.totals.reused += 1;
      }
    }
    await addJobs(this.queues.transcribe, 'transcribe', transcribe);
    await addJobs(this.queues.tag, 'tag', tag);
    this.totals.transcribeJobs += transcribe.length;
    this.totals.tagJobs += tag.length;
  }

  // A URL inserted by a concurrent enqueue after our snapshot is in neither `existing` nor
  // `inserted`; running the statement again for those picks them up as existing rows.
  private async link(urls: string[], metadata: (string | null)[]) {
    const rows: Record<string, unknown>[] = [];
    let todo = { urls, metadata };
    for (let attempt = 0; attempt < 5 && todo.urls.length > 0; attempt++) {
      const result = await this.withDeadlockRetry(() =>
        this.db.$client.query(LINK_SQL, [todo.urls, todo.metadata, this.batch.id, this.batch.taxonomyId]),
      );
      rows.push(...result.rows);
      const got = new Set(result.rows.map((r) => r.url as string));
      const keep = todo.urls.map((u, i) => (got.has(u) ? -1 : i)).filter((i) => i >= 0);
      todo = {
        urls: keep.map((i) => todo.urls[i] as string),
        metadata: keep.map((i) => todo.metadata[i] ?? null),
      };
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
