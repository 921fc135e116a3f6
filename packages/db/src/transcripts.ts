// A submitted file as AssemblyAI reports on it: processing, completed (with what it cost and
// the text kept for tagging), failed, gone, or sent back to be submitted again.
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { param, prepared } from './statement.ts';

const MARK_PROCESSING = prepared(
  'transcripts/mark_processing',
  sql`UPDATE media_files SET transcript_status = 'processing', updated_at = now()
     WHERE id = ${param('id')} AND transcript_status = 'queued'`,
);

/** Records queued → processing (only when it changed, to keep polls cheap). */
export async function markProcessing(db: Db, id: number): Promise<void> {
  await MARK_PROCESSING.run(db, { id });
}

/** The text kept when a transcript completes (see transcript_texts). */
export interface TextRecord {
  excerpt: string;
  excerptTokens: number;
  fullText: string | null;
  fullTokens: number;
}

/** What a completed transcript is recorded with. */
export interface Completion {
  audioDuration: number | null;
  languageCode: string | null;
  speechModel: string | null;
  costUsd: number | null;
  text?: TextRecord | null;
}

// The taxonomies a completed file still needs a tag from (`needs_tagging`,
// migrations/0011_needs_tagging.sql): the current taxonomy of every batch that lists it, with no
// result or a pending one. `status` is the file's transcript status.
const needed = (
  status: SQL,
) => sql`SELECT DISTINCT b.taxonomy_id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
         JOIN media_files m ON m.id = bf.media_file_id
         LEFT JOIN tag_results r ON r.media_file_id = bf.media_file_id AND r.taxonomy_id = b.taxonomy_id
        WHERE bf.media_file_id = ${param('id')} AND needs_tagging(${status}, r.status)`;

// Every state change of a completion in one statement: the status, the charge in the ledger
// (once per transcript id: a second completion of the same id, e.g. a duplicate poll, bills
// nothing; to the first batch that listed the file, the one that submitted it), the text kept
// for tagging, and the pending result rows batched requests claim.
const COMPLETE = prepared(
  'transcripts/complete',
  sql`WITH done AS (
       UPDATE media_files SET transcript_status = 'completed', audio_duration_s = ${param('audioDuration')},
           language_code = ${param('languageCode')}, speech_model = ${param('speechModel')},
           cost_usd = ${param('costUsd')}, completed_at = coalesce(completed_at, now()), error = NULL,
           error_kind = NULL, updated_at = now()
         WHERE id = ${param('id')}
           -- A check that did not read the file first names the transcript it asked about.
           AND (${param('expect')}::text IS NULL
                OR (transcript_id = ${param('expect')}::text AND transcript_status IN ('queued', 'processing')))
         RETURNING id, transcript_id
     ), billed AS (
       INSERT INTO cost_ledger (kind, media_file_id, batch_id, transcript_id, audio_seconds, cost_usd)
       SELECT 'transcription', d.id,
              (SELECT bf.batch_id FROM batch_files bf WHERE bf.media_file_id = d.id
                ORDER BY bf.created_at, bf.batch_id LIMIT 1),
              d.transcript_id, ${param('audioDuration')}::int, ${param('costUsd')}::numeric
         FROM done d WHERE ${param('costUsd')}::numeric IS NOT NULL AND d.transcript_id IS NOT NULL
       ON CONFLICT (transcript_id) WHERE kind = 'transcription' DO NOTHING
     ), pending AS (
       -- 'completed': what this statement makes the file (its snapshot still reads the old status).
       INSERT INTO tag_results (media_file_id, taxonomy_id)
       SELECT d.id, n.taxonomy_id FROM done d, (${needed(sql`'completed'`)}) n
       ON CONFLICT DO NOTHING
     ), kept AS (
       INSERT INTO transcript_texts (media_file_id, excerpt, excerpt_tokens, full_text, full_tokens)
       SELECT id, ${param('excerpt')}::text, ${param('excerptTokens')}::int, ${param('fullText')}::text,
              ${param('fullTokens')}::int
         FROM done WHERE ${param('excerpt')}::text IS NOT NULL
       ON CONFLICT (media_file_id) DO UPDATE SET excerpt = EXCLUDED.excerpt,
         excerpt_tokens = EXCLUDED.excerpt_tokens, full_text = EXCLUDED.full_text, full_tokens = EXCLUDED.full_tokens
     )
     SELECT count(*)::int AS completed FROM done`,
);

// The same rows again, from a fresh snapshot: usually they exist and nothing is written.
const PENDING_TAGS = prepared(
  'transcripts/pending_tags',
  sql`WITH needed AS (${needed(sql`m.transcript_status`)}), made AS (
       INSERT INTO tag_results (media_file_id, taxonomy_id) SELECT ${param('id')}::bigint, taxonomy_id FROM needed
       ON CONFLICT DO NOTHING
     )
     SELECT taxonomy_id FROM needed`,
);

/**
 * Records a completed transcript (and the text kept for tagging, in the same statement) and
 * returns the taxonomies to tag it with: the current taxonomy of every batch that lists the
 * file and still needs a tag from it (`needs_tagging`: no result, or a pending one), each given
 * its `pending` result row so batched requests can claim it. The first statement makes every
 * change; the second, autocommitted after it, reads again: the UPDATE may have waited for an
 * enqueue holding the row FOR SHARE, and only a fresh snapshot sees the batch that enqueue
 * added (the first statement reads with its start-of-statement snapshot). Without such an
 * enqueue the second statement finds the rows made and writes nothing, so it commits nothing
 * to flush.
 *
 * With `expect`, only a file still waiting for that transcript is completed; `completed` says
 * whether it was (a check that did not read the file first learns so that it changed).
 */
export async function markCompleted(
  db: Db,
  id: number,
  t: Completion,
  expect?: string,
): Promise<{ completed: boolean; taxonomies: number[] }> {
  const text = t.text ?? null;
  const { rows: done } = await COMPLETE.run<{ completed: number }>(db, {
    id,
    expect: expect ?? null,
    audioDuration: t.audioDuration,
    languageCode: t.languageCode,
    speechModel: t.speechModel,
    costUsd: t.costUsd,
    excerpt: text?.excerpt ?? null,
    excerptTokens: text?.excerptTokens ?? null,
    fullText: text?.fullText ?? null,
    fullTokens: text?.fullTokens ?? null,
  });
  if ((done[0]?.completed ?? 0) === 0) return { completed: false, taxonomies: [] };
  const { rows } = await PENDING_TAGS.run<{ taxonomy_id: number }>(db, { id });
  return { completed: true, taxonomies: rows.map((r) => Number(r.taxonomy_id)) };
}

/** Why a file failed; tells `retry` whether to resubmit or re-poll. */
export type FileErrorKind = 'api' | 'submit' | 'poll' | 'gone';

const MARK_ERROR = prepared(
  'transcripts/mark_error',
  sql`UPDATE media_files SET transcript_status = 'error', error = ${param('reason')}, error_kind = ${param('kind')},
       submit_claimed_at = NULL, updated_at = now()
     WHERE id = ${param('id')} AND transcript_status <> 'completed'`,
);

/** Marks a file failed with the reason; `kind` tells `retry` whether to resubmit or re-poll. */
export async function markFileError(db: Db, id: number, kind: FileErrorKind, reason: string): Promise<void> {
  await MARK_ERROR.run(db, { id, kind, reason: reason.slice(0, 2000) });
}

const MARK_GONE = prepared(
  'transcripts/mark_gone',
  sql`UPDATE media_files SET error_kind = 'gone', updated_at = now()
     WHERE id = ${param('id')} AND transcript_status = 'completed' AND error_kind IS DISTINCT FROM 'gone'`,
);

/**
 * A completed file whose transcript AssemblyAI no longer has (deleted by the account or a
 * retention policy): it stays completed, and tagging uses its stored excerpt from now on.
 */
export async function markTranscriptGone(db: Db, id: number): Promise<void> {
  await MARK_GONE.run(db, { id });
}

const REQUEUE = prepared(
  'transcripts/requeue_after_download_error',
  sql`UPDATE media_files SET failed_transcript_ids = array_append(failed_transcript_ids, transcript_id),
       transcript_id = NULL, transcript_status = 'pending', download_retries = download_retries + 1,
       error = NULL, error_kind = NULL, submit_claimed_at = NULL, submit_uncertain_since = NULL,
       updated_at = now()
     WHERE id = ${param('id')} AND transcript_id = ${param('transcriptId')} AND download_retries = 0`,
);

/**
 * Sends a file whose transcript failed to download its audio back to `pending`, once: the
 * failed id is kept in failed_transcript_ids (as `mediatag retry` does). False when the file
 * has another transcript by now or was already sent back once.
 */
export async function requeueAfterDownloadError(db: Db, id: number, transcriptId: string): Promise<boolean> {
  const { rowCount } = await REQUEUE.run(db, { id, transcriptId });
  return rowCount === 1;
}
