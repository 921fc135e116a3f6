// `mediatag retry`: a batch's failed files back to where work on them can start again.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/** Files of a batch whose transcript AssemblyAI no longer has and that still need one. */
export interface GoneFiles {
  files: Array<{
    id: number;
    /** Audio seconds known (an earlier transcript, or the feed's duration); null when unknown. */
    seconds: number | null;
  }>;
  /** Mean audio seconds of every completed transcript, to estimate the unknown ones; null when none. */
  meanSeconds: number | null;
}

/**
 * Gone before we read the result (failed), or gone after completing with no excerpt kept and
 * the batch's taxonomy not answered: in both cases only a new transcript can help. "Not
 * answered" is `needs_tagging` or a failed tag result, which `retry` sets back to pending.
 */
export async function goneFiles(db: Db, batchId: number): Promise<GoneFiles> {
  const { rows } = await db.execute<{ id: string; seconds: number | null; mean: string | null }>(sql`
    SELECT m.id, coalesce(m.audio_duration_s, bf.episode_duration_s) AS seconds,
           (SELECT avg(audio_duration_s) FROM media_files WHERE transcript_status = 'completed') AS mean
      FROM batch_files bf JOIN batches b ON b.id = bf.batch_id JOIN media_files m ON m.id = bf.media_file_id
      LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id
     WHERE bf.batch_id = ${batchId} AND m.error_kind = 'gone' AND (m.transcript_status = 'error' OR (
           m.transcript_status = 'completed'
       AND NOT EXISTS (SELECT 1 FROM transcript_texts x WHERE x.media_file_id = m.id)
       AND (needs_tagging(m.transcript_status, r.status) OR r.status = 'error')))`);
  const mean = rows[0]?.mean;
  return {
    files: rows.map((r) => ({ id: Number(r.id), seconds: r.seconds === null ? null : Number(r.seconds) })),
    meanSeconds: mean == null ? null : Number(mean),
  };
}

/** The files `requeueFailed` changed, by what each needs now. */
export interface Requeued {
  /** Transcripts AssemblyAI ended in error (not billed), or never submitted: to submit anew. */
  resubmit: number[];
  /** Saved transcripts we could not read: to check again, never to submit again. */
  repoll: number[];
  /** Failed tag results of the batch's taxonomy, pending again. */
  retag: number[];
  /** Of `goneIds`, the files now to be transcribed again (paid again). */
  again: number[];
}

const ids = (rows: Array<{ id: string }>) => rows.map((r) => Number(r.id));

/**
 * Puts the batch's failed files back to work, in one transaction (a failure part-way leaves
 * every file as it was): a transcript AssemblyAI ended in `error` is to be submitted anew, its
 * old id kept in `failed_transcript_ids`; a saved id we failed to read is to be polled again;
 * failed tag results of the batch's taxonomy are pending again. `goneIds` (from `goneFiles`,
 * confirmed by the user) are to be transcribed again: their old id is kept, its ledger row
 * stays (it was paid) and their failed tag results are pending again.
 */
export async function requeueFailed(db: Db, batchId: number, goneIds: number[]): Promise<Requeued> {
  return db.transaction(async (tx) => {
    const inBatch = sql`FROM batch_files bf WHERE bf.media_file_id = m.id AND bf.batch_id = ${batchId}`;
    const resubmit = await tx.execute<{ id: string }>(sql`
      UPDATE media_files m SET
        failed_transcript_ids = CASE WHEN m.transcript_id IS NULL THEN m.failed_transcript_ids
                                     ELSE array_append(m.failed_transcript_ids, m.transcript_id) END,
        transcript_id = NULL, transcript_status = 'pending', error = NULL, error_kind = NULL,
        submit_claimed_at = NULL, updated_at = now()
      ${inBatch} AND m.transcript_status = 'error' AND (m.error_kind = 'api' OR m.transcript_id IS NULL)
      RETURNING m.id`);
    const repoll = await tx.execute<{ id: string }>(sql`
      UPDATE media_files m SET transcript_status = 'queued', error = NULL, error_kind = NULL, updated_at = now()
      ${inBatch} AND m.transcript_status = 'error' AND m.transcript_id IS NOT NULL
        AND m.error_kind IS DISTINCT FROM 'gone'
      RETURNING m.id`);
    let again: number[] = [];
    if (goneIds.length > 0) {
      const gone = await tx.execute<{ id: string }>(sql`
        UPDATE media_files m SET failed_transcript_ids = array_append(m.failed_transcript_ids, m.transcript_id),
          transcript_id = NULL, transcript_status = 'pending', error = NULL, error_kind = NULL,
          audio_duration_s = NULL, completed_at = NULL, submit_claimed_at = NULL, updated_at = now()
        WHERE m.id = ANY (${sql.param(goneIds)}::bigint[]) AND m.error_kind = 'gone'
        RETURNING m.id`);
      again = ids(gone.rows);
      await tx.execute(sql`
        UPDATE tag_results SET status = 'pending', error = NULL, updated_at = now()
         WHERE media_file_id = ANY (${sql.param(again)}::bigint[]) AND status = 'error'`);
    }
    const retag = await tx.execute<{ id: string }>(sql`
      UPDATE tag_results r SET status = 'pending', error = NULL, updated_at = now()
        FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
       WHERE bf.batch_id = ${batchId} AND r.media_file_id = bf.media_file_id AND r.taxonomy_id = b.taxonomy_id
         AND r.status = 'error'
      RETURNING r.media_file_id AS id`);
    return { resubmit: ids(resubmit.rows), repoll: ids(repoll.rows), retag: ids(retag.rows), again };
  });
}
