// A media file up to its submission: the claim that lets one attempt pay, and the transcript
// id saved right after the POST. One statement each, every one its own transaction: the id of
// a paid submission is committed before anything else happens with it (invariant 1 in
// docs/ARCHITECTURE.md).
import type { Db } from './client.ts';
import { run } from './statement.ts';

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

interface FileColumns {
  id: string;
  url: string;
  transcript_id: string | null;
  transcript_status: FileRow['transcriptStatus'];
  submitted_at: Date | null;
}

function toFileRow(r: FileColumns): FileRow {
  return {
    id: Number(r.id),
    url: r.url,
    transcriptId: r.transcript_id,
    transcriptStatus: r.transcript_status,
    submittedAt: r.submitted_at,
  };
}

/** Loads one file, or undefined when it no longer exists. */
export async function getFile(db: Db, id: number): Promise<FileRow | undefined> {
  const { rows } = await run<FileColumns>(
    db,
    'submissions/get_file',
    'SELECT id, url, transcript_id, transcript_status, submitted_at FROM media_files WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r ? toFileRow(r) : undefined;
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

// The file's batches, read once: whether one has no cap (then it pays and no cap is checked),
// those with a cap (checked before paying), and the options of the batch that listed it first.
// The claim leaves every indexed column alone, so it can be a HOT update (migration 0012).
const CLAIM = `WITH old AS (SELECT id, submit_uncertain_since FROM media_files WHERE id = $1 FOR UPDATE),
     listed AS (
       SELECT coalesce(bool_or(b.max_cost_usd IS NULL), false) AS uncapped,
              coalesce(array_agg(b.id ORDER BY b.id) FILTER (WHERE b.max_cost_usd IS NOT NULL), '{}') AS capped,
              -- A file is transcribed once: the batch that listed it first sets the options.
              (array_agg(b.transcription_options ORDER BY bf.created_at, bf.batch_id))[1] AS transcription_options
         FROM batch_files bf JOIN batches b ON b.id = bf.batch_id WHERE bf.media_file_id = $1
     )
     UPDATE media_files m
        SET submit_claimed_at = now(),
            submit_uncertain_since = coalesce(m.submit_uncertain_since, now()),
            submit_attempts = m.submit_attempts + 1,
            updated_at = now()
       FROM old, listed
      WHERE m.id = old.id AND m.transcript_id IS NULL AND m.transcript_status = 'pending'
        AND (m.submit_claimed_at IS NULL OR m.submit_claimed_at < now() - make_interval(secs => $2::float8 / 1000))
      RETURNING old.submit_uncertain_since AS uncertain_since, m.submit_attempts AS attempt,
                m.id, m.url, m.transcript_id, m.transcript_status, m.submitted_at,
                listed.transcription_options, listed.uncapped, listed.capped`;

/**
 * Claims the right to submit: only one attempt at a time (a claim older than `ttlMs` is a
 * dead attempt's), never once an id is saved. Reports whether an earlier attempt's outcome
 * is unknown, so the caller can look for its transcript instead of paying again.
 */
export async function claimSubmission(db: Db, id: number, ttlMs: number): Promise<Claim> {
  const { rows } = await run<
    FileColumns & {
      uncertain_since: Date | null;
      attempt: number;
      transcription_options: Record<string, unknown> | null;
      uncapped: boolean;
      capped: number[];
    }
  >(db, 'submissions/claim', CLAIM, [id, ttlMs]);
  const r = rows[0];
  if (!r) return { claimed: false };
  return {
    claimed: true,
    uncertainSince: r.uncertain_since,
    attempt: r.attempt,
    file: { ...toFileRow(r), transcriptionOptions: r.transcription_options ?? null },
    cappedBatchIds: r.capped.map(Number),
    uncapped: r.uncapped === true,
  };
}

/**
 * Gives a claim back as if it had not been taken (nothing was sent): a spending cap held the
 * file. The earlier uncertainty, if any, is restored, and the attempt is not counted.
 */
export async function unclaim(db: Db, id: number, uncertainSince: Date | null): Promise<void> {
  await run(
    db,
    'submissions/unclaim',
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
  await run(
    db,
    'submissions/release_claim',
    `UPDATE media_files SET submit_claimed_at = NULL,
       submit_uncertain_since = CASE WHEN $2 THEN NULL ELSE submit_uncertain_since END, updated_at = now()
     WHERE id = $1 AND transcript_id IS NULL`,
    [id, refused],
  );
}

/**
 * Saves a new transcript id: the first thing done after a submission succeeds, in a statement
 * of its own so it is committed before anything else can fail. False when the file already has
 * one. The file is charged here to the first of its batches without a cap, if it has one (a
 * capped batch was charged before the submission, by `chargeWithinCap`).
 */
export async function saveTranscriptId(
  db: Db,
  id: number,
  transcriptId: string,
  status: string,
): Promise<boolean> {
  const { rowCount } = await run(
    db,
    'submissions/save_transcript_id',
    `UPDATE media_files SET transcript_id = $2,
       transcript_status = CASE WHEN $3 = 'processing' THEN 'processing' ELSE 'queued' END,
       submitted_at = now(), submit_claimed_at = NULL, submit_uncertain_since = NULL,
       error = NULL, error_kind = NULL, updated_at = now(),
       charged_batch_id = coalesce(
         (SELECT b.id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
           WHERE bf.media_file_id = $1 AND b.max_cost_usd IS NULL ORDER BY b.id LIMIT 1),
         charged_batch_id)
     WHERE id = $1 AND transcript_id IS NULL`,
    [id, transcriptId, status],
  );
  return rowCount === 1;
}

/**
 * Records that the search for an earlier attempt's transcript gave up before reaching it: the
 * file is submitted again and may be paid for twice (`mediatag status` reports it).
 */
export async function markSearchGaveUp(db: Db, id: number): Promise<void> {
  await run(
    db,
    'submissions/mark_search_gave_up',
    'UPDATE media_files SET submit_search_gave_up_at = now() WHERE id = $1',
    [id],
  );
}
