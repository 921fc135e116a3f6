// State transitions of a media file, one statement each. Every write that follows a paid
// request happens before anything else is done with its result (invariant 1 in docs/ARCHITECTURE.md).
import type { Db } from '@mediatag/db';

/** The columns the processors read. */
export interface FileRow {
  id: number;
  url: string;
  transcriptId: string | null;
  transcriptStatus: 'pending' | 'queued' | 'processing' | 'completed' | 'error';
  submittedAt: Date | null;
  /** Options of the batch that listed the file first (read with the claim); null = none. */
  transcriptionOptions?: Record<string, unknown> | null;
}

/** Loads one file, or undefined when it no longer exists. */
export async function getFile(db: Db, id: number): Promise<FileRow | undefined> {
  const { rows } = await db.$client.query(
    'SELECT id, url, transcript_id, transcript_status, submitted_at FROM media_files WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r ? toFileRow(r) : undefined;
}

function toFileRow(r: Record<string, unknown>): FileRow {
  return {
    id: Number(r.id),
    url: r.url as string,
    transcriptId: r.transcript_id as string | null,
    transcriptStatus: r.transcript_status as FileRow['transcriptStatus'],
    submittedAt: r.submitted_at as Date | null,
  };
}

/** Result of claiming a submission. */
export type Claim =
  | { claimed: false }
  | {
      claimed: true;
      uncertainSince: Date | null;
      attempt: number;
      file: FileRow;
      /** The batches of the file that have a spending cap, and whether one has none (then it pays). */
      cappedBatchIds: number[];
      uncapped: boolean;
    };

// The file's batches without a cap (the first pays for it) and with one (checked before paying).
const UNCAPPED = `SELECT b.id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
  WHERE bf.media_file_id = m.id AND b.max_cost_usd IS NULL ORDER BY b.id LIMIT 1`;
const CAPPED = `SELECT b.id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
  WHERE bf.media_file_id = m.id AND b.max_cost_usd IS NOT NULL ORDER BY b.id`;

/**
 * Claims the right to submit: only one attempt at a time (a claim older than `ttlMs` is a
 * dead attempt's), never once an id is saved. Reports whether an earlier attempt's outcome
 * is unknown, so the caller can look for its transcript instead of paying again.
 */
export async function claimSubmission(db: Db, id: number, ttlMs: number): Promise<Claim> {
  const { rows } = await db.$client.query(
    `WITH old AS (SELECT id, submit_uncertain_since FROM media_files WHERE id = $1 FOR UPDATE)
     UPDATE media_files m
        SET submit_claimed_at = now(),
            submit_uncertain_since = coalesce(m.submit_uncertain_since, now()),
            submit_attempts = m.submit_attempts + 1,
            charged_batch_id = coalesce((${UNCAPPED}), m.charged_batch_id),
            updated_at = now()
       FROM old
      WHERE m.id = old.id AND m.transcript_id IS NULL AND m.transcript_status = 'pending'
        AND (m.submit_claimed_at IS NULL OR m.submit_claimed_at < now() - make_interval(secs => $2::float8 / 1000))
      RETURNING old.submit_uncertain_since AS uncertain_since, m.submit_attempts AS attempt,
                m.id, m.url, m.transcript_id, m.transcript_status, m.submitted_at,
                -- A file is transcribed once: the batch that listed it first sets the options.
                (SELECT b.transcription_options FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
                  WHERE bf.media_file_id = m.id ORDER BY bf.created_at, bf.batch_id LIMIT 1) AS transcription_options,
                EXISTS (${UNCAPPED}) AS uncapped, ARRAY(${CAPPED}) AS capped`,
    [id, ttlMs],
  );
  const r = rows[0];
  if (!r) return { claimed: false };
  return {
    claimed: true,
    uncertainSince: r.uncertain_since,
    attempt: r.attempt,
    file: { ...toFileRow(r), transcriptionOptions: r.transcription_options ?? null },
    cappedBatchIds: (r.capped as unknown[]).map(Number),
    uncapped: r.uncapped === true,
  };
}

/**
 * Gives a claim back as if it had not been taken (nothing was sent): a spending cap held the
 * file. The earlier uncertainty, if any, is restored, and the attempt is not counted.
 */
export async function unclaim(db: Db, id: number, uncertainSince: Date | null): Promise<void> {
  await db.$client.query(
    `UPDATE media_files SET submit_claimed_at = NULL, submit_uncertain_since = $2,
       submit_attempts = greatest(submit_attempts - 1, 0), updated_at = now()
     WHERE id = $1 AND transcript_id IS NULL`,
    [id, uncertainSince],
  );
}

/**
 * Ends a claim. `refused`: the API certainly did not create a transcript (e.g. 429, 4xx),
 * so the uncertainty is cleared too; otherwise (timeout, reset, 5xx) it stays for the next try.
 */
export async function releaseClaim(db: Db, id: number, refused: boolean): Promise<void> {
  await db.$client.query(
    `UPDATE media_files SET submit_claimed_at = NULL,
       submit_uncertain_since = CASE WHEN $2 THEN NULL ELSE submit_uncertain_since END, updated_at = now()
     WHERE id = $1 AND transcript_id IS NULL`,
    [id, refused],
  );
}

/** Saves a new transcript id: the first thing done after a submission succeeds. */
export async function saveTranscriptId(
  db: Db,
  id: number,
  transcriptId: string,
  status: string,
): Promise<boolean> {
  const { rowCount } = await db.$client.query(
    `UPDATE media_files SET transcript_id = $2,
       transcript_status = CASE WHEN $3 = 'processing' THEN 'processing' ELSE 'queued' END,
       submitted_at = now(), submit_claimed_at = NULL, submit_uncertain_since = NULL,
       error = NULL, error_kind = NULL, updated_at = now()
     WHERE id = $1 AND transcript_id IS NULL`,
    [id, transcriptId, status],
  );
  return rowCount === 1;
}

/** Records queued → processing (only when it changed, to keep polls cheap). */
export async function markProcessing(db: Db, id: number): Promise<void> {
  await db.$client.query(
    `UPDATE media_files SET transcript_status = 'processing', updated_at = now()
     WHERE id = $1 AND transcript_status = 'queued'`,
    [id],
  );
}

/** The text kept when a transcript completes (see transcript_texts). */
export interface TextRecord {
  excerpt: string;
  excerptTokens: number;
  fullText: string | null;
  fullTokens: number;
}

/**
 * Records a completed transcript (and the text kept for tagging, in the same statement) and
 * returns the taxonomies to tag it with: the current taxonomy of every batch that lists the
 * file and still needs a tag from it (`needs_tagging`: no result, or a pending one), each given
 * its `pending` result row so batched requests can claim it. Two autocommitted statements, deliberately not one: the UPDATE waits for an
 * enqueue holding the row FOR SHARE, and the second statement then takes a fresh snapshot
 * that sees the batch that enqueue added (a single statement would read with its
 * start-of-statement snapshot).
 */
export async function markCompleted(
  db: Db,
  id: number,
  t: {
    audioDuration: number | null;
    languageCode: string | null;
    speechModel: string | null;
    costUsd: number | null;
    text?: TextRecord | null;
  },
): Promise<number[]> {
  const text = t.text ?? null;
  // The charge goes in the ledger in the same statement as the completion, once per transcript
  // id (a second completion of the same id, e.g. a duplicate poll, bills nothing), to the
  // first batch that listed the file: the one that submitted it.
  await db.$client.query(
    `WITH done AS (
       UPDATE media_files SET transcript_status = 'completed', audio_duration_s = $2, language_code = $3,
           speech_model = $4, cost_usd = $5, completed_at = coalesce(completed_at, now()), error = NULL,
           error_kind = NULL, updated_at = now()
         WHERE id = $1 RETURNING id, transcript_id
     ), billed AS (
       INSERT INTO cost_ledger (kind, media_file_id, batch_id, transcript_id, audio_seconds, cost_usd)
       SELECT 'transcription', d.id,
              (SELECT bf.batch_id FROM batch_files bf WHERE bf.media_file_id = d.id
                ORDER BY bf.created_at, bf.batch_id LIMIT 1),
              d.transcript_id, $2, $5
         FROM done d WHERE $5::numeric IS NOT NULL AND d.transcript_id IS NOT NULL
       ON CONFLICT (transcript_id) WHERE kind = 'transcription' DO NOTHING
     )
     INSERT INTO transcript_texts (media_file_id, excerpt, excerpt_tokens, full_text, full_tokens)
     SELECT id, $6, $7, $8, $9 FROM done WHERE $6::text IS NOT NULL
     ON CONFLICT (media_file_id) DO UPDATE SET excerpt = EXCLUDED.excerpt,
       excerpt_tokens = EXCLUDED.excerpt_tokens, full_text = EXCLUDED.full_text, full_tokens = EXCLUDED.full_tokens`,
    [
      id,
      t.audioDuration,
      t.languageCode,
      t.speechModel,
      t.costUsd,
      text?.excerpt ?? null,
      text?.excerptTokens ?? null,
      text?.fullText ?? null,
      text?.fullTokens ?? null,
    ],
  );
  const { rows } = await db.$client.query(
    `WITH needed AS (
       SELECT DISTINCT b.taxonomy_id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
         JOIN media_files m ON m.id = bf.media_file_id
         LEFT JOIN tag_results r ON r.media_file_id = bf.media_file_id AND r.taxonomy_id = b.taxonomy_id
        WHERE bf.media_file_id = $1 AND needs_tagging(m.transcript_status, r.status)
     ), made AS (
       INSERT INTO tag_results (media_file_id, taxonomy_id) SELECT $1, taxonomy_id FROM needed
       ON CONFLICT DO NOTHING
     )
     SELECT taxonomy_id FROM needed`,
    [id],
  );
  return rows.map((r) => Number(r.taxonomy_id));
}

/** Marks a file failed with the reason; `kind` tells `retry` whether to resubmit or re-poll. */
export async function markFileError(
  db: Db,
  id: number,
  kind: 'api' | 'submit' | 'poll' | 'gone',
  reason: string,
): Promise<void> {
  await db.$client.query(
    `UPDATE media_files SET transcript_status = 'error', error = $3, error_kind = $2,
       submit_claimed_at = NULL, updated_at = now()
     WHERE id = $1 AND transcript_status <> 'completed'`,
    [id, kind, reason.slice(0, 2000)],
  );
}

/**
 * A completed file whose transcript AssemblyAI no longer has (deleted by the account or a
 * retention policy): it stays completed, and tagging uses its stored excerpt from now on.
 */
export async function markTranscriptGone(db: Db, id: number): Promise<void> {
  await db.$client.query(
    `UPDATE media_files SET error_kind = 'gone', updated_at = now()
     WHERE id = $1 AND transcript_status = 'completed' AND error_kind IS DISTINCT FROM 'gone'`,
    [id],
  );
}
