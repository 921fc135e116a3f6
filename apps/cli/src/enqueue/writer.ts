import { type BatchItem, type Db, linkToBatch } from '@mediatag/db';
import { addJobs, type Queues, transcribeOptions } from '@mediatag/queue';
import type { FeedEpisode } from '@mediatag/sources';

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

/** Per-item columns besides the URL: where it came from and, for feed items, what it is. */
export type ItemFields = Omit<BatchItem, 'url'>;

/** A feed episode's columns; `feedUrl` is the URL the batch knows the feed by. */
export function episodeFields(rec: FeedEpisode, feedUrl: string): ItemFields {
  return {
    source: 'rss',
    title: rec.title,
    guid: rec.guid,
    publishedAt: rec.publishedAt,
    episodeDurationS: rec.durationS,
    feedTitle: rec.feedTitle,
    feedUrl,
    metadata: rec.enclosureType ? { enclosure_type: rec.enclosureType } : null,
  };
}

/**
 * Writes a batch's files to Postgres in chunks of 1,000 (one statement each), then adds
 * their jobs with `addBulk` and deterministic ids. Postgres first: a crash between the two
 * leaves rows that `reconcile` (or running the same enqueue again) turns into jobs.
 */
export class BatchWriter {
  readonly totals: WriteTotals = { added: 0, alreadyKnown: 0, reused: 0, transcribeJobs: 0, tagJobs: 0 };
  private items: BatchItem[] = [];
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
    this.items.push({ ...item, url });
    if (this.items.length >= CHUNK) await this.writeChunk();
  }

  /** Writes what is buffered and waits until its jobs are in Redis. */
  async flush(): Promise<void> {
    await this.writeChunk();
    await this.jobsInFlight;
  }

  // Postgres for this chunk runs while Redis still takes the previous chunk's jobs; at most
  // one chunk of jobs is pending, and every chunk's rows are committed before its jobs exist.
  private async writeChunk(): Promise<void> {
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.seen = new Set();
    const rows = await linkToBatch(this.db, this.batch, items);
    await this.jobsInFlight;
    // The length the source stated, by URL: longer files are submitted first.
    const lengths = new Map<string, number>();
    for (const item of items)
      if (typeof item.episodeDurationS === 'number') lengths.set(item.url, item.episodeDurationS);
    const lengthOf = new Map<number, number | undefined>();
    const transcribe: { fileId: number }[] = [];
    const tag: { fileId: number; taxonomyId: number }[] = [];
    for (const row of rows) {
      if (row.skipped) {
        this.totals.alreadyKnown += 1;
        continue;
      }
      if (row.added) this.totals.added += 1;
      else this.totals.alreadyKnown += 1;
      // Only files of this batch get jobs: a skipped feed item must never be paid for.
      if (!row.added && !row.inBatch) continue;
      if (row.transcriptStatus === 'pending') {
        transcribe.push({ fileId: row.fileId });
        lengthOf.set(row.fileId, lengths.get(row.url));
      } else if (row.needsTagging) {
        tag.push({ fileId: row.fileId, taxonomyId: this.batch.taxonomyId });
        if (row.added) this.totals.reused += 1;
      }
    }
    this.totals.transcribeJobs += transcribe.length;
    this.totals.tagJobs += tag.length;
    this.jobsInFlight = (async () => {
      await addJobs(this.queues, 'transcribe', transcribe, (p) => transcribeOptions(lengthOf.get(p.fileId)));
      await addJobs(this.queues, 'tag', tag);
    })();
    // Awaited by the next chunk or by flush(); this only keeps Node from calling it unhandled meanwhile.
    this.jobsInFlight.catch(() => undefined);
  }
}
