// What `reconcile` reads to rebuild Redis from Postgres (invariant 4 in docs/ARCHITECTURE.md).
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { prepared } from './statement.ts';

const IN_FLIGHT = prepared(
  'reconcile/in_flight',
  sql`SELECT id FROM media_files WHERE transcript_status IN ('queued', 'processing') AND transcript_id IS NOT NULL`,
);

const COUNT_UNSUBMITTED = prepared(
  'reconcile/count_unsubmitted',
  sql`SELECT count(*)::int AS n FROM media_files m WHERE transcript_status = 'pending'
       AND EXISTS (SELECT 1 FROM batch_files bf WHERE bf.media_file_id = m.id)`,
);

const UNSUBMITTED = prepared(
  'reconcile/unsubmitted',
  sql`SELECT m.id, max(bf.episode_duration_s) AS seconds FROM media_files m
       JOIN batch_files bf ON bf.media_file_id = m.id
      WHERE m.transcript_status = 'pending' GROUP BY m.id ORDER BY m.id`,
);

const UNTAGGED = prepared(
  'reconcile/untagged',
  sql`SELECT DISTINCT m.id, b.taxonomy_id FROM media_files m
       JOIN batch_files bf ON bf.media_file_id = m.id JOIN batches b ON b.id = bf.batch_id
       LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id
      WHERE needs_tagging(m.transcript_status, r.status)`,
);

/** Files submitted and not finished: each holds an in-flight slot and needs a poll job. */
export async function inFlightFileIds(db: Db): Promise<number[]> {
  const { rows } = await IN_FLIGHT.run<{ id: string }>(db);
  return rows.map((r) => Number(r.id));
}

/** How many files of some batch are not submitted yet. */
export async function countUnsubmitted(db: Db): Promise<number> {
  const { rows } = await COUNT_UNSUBMITTED.run<{ n: number }>(db);
  return rows[0]?.n ?? 0;
}

/**
 * The files of some batch not submitted yet, by id, each with the longest duration a source
 * stated for it (null: none did), so rebuilt transcribe jobs keep the longest-first order.
 */
export async function unsubmittedFilesWithLength(
  db: Db,
): Promise<Array<{ fileId: number; seconds: number | null }>> {
  const { rows } = await UNSUBMITTED.run<{ id: string; seconds: number | null }>(db);
  return rows.map((r) => ({ fileId: Number(r.id), seconds: r.seconds === null ? null : Number(r.seconds) }));
}

/**
 * Every (file, taxonomy of a batch listing it) pair that needs a tag (`needs_tagging`,
 * migrations/0011_needs_tagging.sql): each needs a tag job.
 */
export async function untaggedPairs(db: Db): Promise<Array<{ fileId: number; taxonomyId: number }>> {
  const { rows } = await UNTAGGED.run<{ id: string; taxonomy_id: number }>(db);
  return rows.map((r) => ({ fileId: Number(r.id), taxonomyId: Number(r.taxonomy_id) }));
}
