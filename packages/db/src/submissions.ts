// A media file up to its submission: the claim that lets one attempt pay, and the transcript
// id saved right after the POST. One statement each, every one its own transaction: the id of
// a paid submission is committed before anything else happens with it (invariant 1 in
// docs/ARCHITECTURE.md).
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { param, prepared } from './statement.ts';

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

const GET_FILE = prepared(
  'submissions/get_file',
  sql`SELECT id, url, transcript_id, transcript_status, submitted_at FROM media_files WHERE id = ${param('id')}`,
);

/** Loads one file, or undefined when it no longer exists. */
export async function getFile(db: Db, id: number): Promise<FileRow | undefined> {
  const { rows } = await GET_FILE.run<FileColumns>(db, { id });
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
// `m.id` is compared with the value itself, not only with `old.id`: the generic plan of this
// prepared statement otherwise found the row among every pending one (plans.test.ts).
const CLAIM = prepared(
  'submissions/claim',
  sql`WITH old AS (SELECT id, submit_uncertain_since FROM media_files WHERE id = ${param('id')} FOR UPDATE),
     listed AS (
       SELECT coalesce(bool_or(b.max_cost_usd IS NULL), false) AS uncapped,
              coalesce(array_agg(b.id ORDER BY b.id) FILTER (WHERE b.max_cost_usd IS NOT NULL), '{}') AS capped,
              -- A file is transcribed once: the batch that listed it first sets the options.
              (array_agg(b.transcription_options ORDER BY bf.created_at, bf.batch_id))[1] AS transcription_options
         FROM batch_files bf JOIN batches b ON b.id = bf.batch_id WHERE bf.media_file_id = ${param('id')}
     )
     UPDATE media_files m
        SET submit_claimed_at = now(),
            submit_uncertain_since = coalesce(m.submit_uncertain_since, now()),
            submit_attempts = m.submit_attempts + 1,
            updated_at = now()
       FROM old, listed
      WHERE m.id = ${param('id')} AND m.id = old.id AND m.transcript_id IS NULL
        AND m.transcript_status = 'pending'
        AND (m.submit_claimed_at IS NULL
             OR m.submit_claimed_at < now() - make_interval(secs => ${param('ttlMs')}::float8 / 1000))
      RETURNING old.submit_uncertain_since AS uncertain_since, m.submit_attempts AS attempt,
                m.id, m.url, m.transcript_id, m.transcript_status, m.submitted_at,
                listed.transcription_options, listed.uncapped, listed.capped`,
);

/**
 * Claims the right to submit: only one attempt at a time (a claim older than `ttlMs` is a
 * dead attempt's), never once an id is saved. Reports whether an earlier attempt's outcome
 * is unknown, so the caller can look for its transcript instead of paying again.
 */
export async function claimSubmission(db: Db, id: number, ttlMs: number): Promise<Claim> {
  const { rows } = await CLAIM.run<
    FileColumns & {
      uncertain_since: Date | null;
      attempt: number;
      transcription_options: Record<string, unknown> | null;
      uncapped: boolean;
      capped: number[];
    }
  >(db, { id, ttlMs });
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

const UNCLAIM = prepared(
  'submissions/unclaim',
  sql`UPDATE media_files SET submit_claimed_at = NULL, submit_uncertain_since = ${param('uncertainSince')},
       submit_attempts = greatest(submit_attempts - 1, 0), updated_at = now()
     WHERE id = ${param('id')} AND transcript_id IS NULL`,
);

/**
 * Gives a claim back as if it had not been taken (nothing was sent): a spending cap held the
 * file. The earlier uncertainty, if any, is restored, and the attempt is not counted.
 */
export async function unclaim(db: Db, id: number, uncertainSince: Date | null): Promise<void> {
  await UNCLAIM.run(db, { id, uncertainSince });
}

const RELEASE_CLAIM = prepared(
  'submissions/release_claim',
  sql`UPDATE media_files SET submit_claimed_at = NULL,
       submit_uncertain_since = CASE WHEN ${param('refused')}::boolean THEN NULL ELSE submit_uncertain_since END,
       updated_at = now()
     WHERE id = ${param('id')} AND transcript_id IS NULL`,
);

/**
 * Ends a claim. `refused`: the API certainly did not create a transcript (e.g. 429, 4xx),
 * so the uncertainty is cleared too; otherwise (timeout, reset, 5xx) it stays for the next try.
 */
export async function releaseClaim(db: Db, id: number, refused: boolean): Promise<void> {
  await RELEASE_CLAIM.run(db, { id, refused });
}

const SAVE_TRANSCRIPT_ID = prepared(
  'submissions/save_transcript_id',
  sql`UPDATE media_files SET transcript_id = ${param('transcriptId')},
       transcript_status = CASE WHEN ${param('status')}::text = 'processing' THEN 'processing' ELSE 'queued' END,
       submitted_at = now(), submit_claimed_at = NULL, submit_uncertain_since = NULL,
       error = NULL, error_kind = NULL, updated_at = now(),
       charged_batch_id = coalesce(
         (SELECT b.id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
           WHERE bf.media_file_id = ${param('id')} AND b.max_cost_usd IS NULL ORDER BY b.id LIMIT 1),
         charged_batch_id)
     WHERE id = ${param('id')} AND transcript_id IS NULL`,
);

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
  const { rowCount } = await SAVE_TRANSCRIPT_ID.run(db, { id, transcriptId, status });
  return rowCount === 1;
}

const SEARCH_GAVE_UP = prepared(
  'submissions/mark_search_gave_up',
  sql`UPDATE media_files SET submit_search_gave_up_at = now() WHERE id = ${param('id')}`,
);

/**
 * Records that the search for an earlier attempt's transcript gave up before reaching it: the
 * file is submitted again and may be paid for twice (`mediatag status` reports it).
 */
export async function markSearchGaveUp(db: Db, id: number): Promise<void> {
  await SEARCH_GAVE_UP.run(db, { id });
}
