// Batched tagging: files of one taxonomy leased to one gateway request (FOR UPDATE SKIP
// LOCKED, then lease_until), and every answer of that request saved in one statement
// (invariants 8 and 9 in docs/ARCHITECTURE.md).
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { taggingBatch } from './ledger.ts';
import { param, prepared } from './statement.ts';

const COUNT_READY = prepared(
  'leases/count_ready',
  sql`SELECT count(*)::int AS n FROM (
       SELECT 1 FROM tag_results WHERE taxonomy_id = ${param('taxonomyId')} AND status = 'pending' AND NOT solo
          AND (lease_until IS NULL OR lease_until < now()) LIMIT ${param('limit')}) s`,
);

/** Files of a taxonomy free for a batched request right now, counted up to `limit`. */
export async function countReady(db: Db, taxonomyId: number, limit: number): Promise<number> {
  const { rows } = await COUNT_READY.run<{ n: number }>(db, { taxonomyId, limit });
  return rows[0]?.n ?? 0;
}

/** One file leased to a batched request, with the text it is tagged by when one is stored. */
export interface ClaimedFile {
  fileId: number;
  transcriptId: string;
  excerpt: string | null;
  excerptTokens: number | null;
}

const CLAIM_BATCH = prepared(
  'leases/claim_batch',
  sql`WITH candidates AS (
       SELECT r.media_file_id, r.created_at, r.media_file_id = ${param('fileId')}::bigint AS own FROM tag_results r
        WHERE r.taxonomy_id = ${param('taxonomyId')} AND r.status = 'pending' AND NOT r.solo
          AND (r.lease_until IS NULL OR r.lease_until < now())
        ORDER BY r.media_file_id = ${param('fileId')}::bigint DESC, r.created_at, r.media_file_id
        LIMIT ${param('limit')} FOR UPDATE SKIP LOCKED
     ), sized AS (
       SELECT c.media_file_id, row_number() OVER w AS n,
              sum(coalesce(x.excerpt_tokens, ${param('unknownTokens')}::int)) OVER w AS running
         FROM candidates c LEFT JOIN transcript_texts x ON x.media_file_id = c.media_file_id
       WINDOW w AS (ORDER BY c.own DESC, c.created_at, c.media_file_id)
     ), taken AS (
       UPDATE tag_results r SET lease_until = now() + make_interval(secs => ${param('leaseMs')}::float8 / 1000)
         FROM sized s
        WHERE r.media_file_id = s.media_file_id AND r.taxonomy_id = ${param('taxonomyId')}
          AND (s.n = 1 OR s.running <= ${param('maxTokens')}::int)
       RETURNING r.media_file_id
     )
     SELECT m.id, m.transcript_id, x.excerpt, x.excerpt_tokens
       FROM taken t JOIN media_files m ON m.id = t.media_file_id
       LEFT JOIN transcript_texts x ON x.media_file_id = m.id
      ORDER BY m.id`,
);

/**
 * Leases up to `limit` files of the taxonomy that wait for a topic (the caller's own file
 * first, then the oldest), skipping rows other requests hold, within `maxTokens` of stored
 * excerpts (a file without one counts `unknownTokens`). The first file is taken whatever its
 * size, so a long excerpt still gets a request of its own.
 */
export async function claimBatch(
  db: Db,
  c: {
    fileId: number;
    taxonomyId: number;
    limit: number;
    leaseMs: number;
    maxTokens: number;
    unknownTokens: number;
  },
): Promise<ClaimedFile[]> {
  const { rows } = await CLAIM_BATCH.run<{
    id: string;
    transcript_id: string;
    excerpt: string | null;
    excerpt_tokens: number | null;
  }>(db, c);
  return rows.map((r) => ({
    fileId: Number(r.id),
    transcriptId: r.transcript_id,
    excerpt: r.excerpt,
    excerptTokens: r.excerpt_tokens,
  }));
}

const RELEASE_BATCH = prepared(
  'leases/release_batch',
  sql`UPDATE tag_results SET lease_until = NULL
      WHERE taxonomy_id = ${param('taxonomyId')} AND media_file_id = ANY (${param('fileIds')}::bigint[])
        AND status = 'pending'`,
);

/** Gives leased files back unanswered (the request could not be made). */
export async function releaseBatch(db: Db, taxonomyId: number, fileIds: number[]): Promise<void> {
  if (fileIds.length === 0) return;
  await RELEASE_BATCH.run(db, { taxonomyId, fileIds });
}

/** The answer for one file of a batched request. */
export interface BatchOutcome {
  fileId: number;
  /** `solo`: the item failed validation; the file stays pending and is asked for alone. */
  status: 'tagged' | 'solo';
  topic: string | null;
  rawAnswer: string | null;
  error: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const SAVE_BATCH = prepared(
  'leases/save_batch_outcomes',
  sql`WITH o AS (
       SELECT * FROM unnest(${param('fileIds')}::bigint[], ${param('statuses')}::text[], ${param('topics')}::text[],
                            ${param('rawAnswers')}::text[], ${param('errors')}::text[], ${param('inputTokens')}::int[],
                            ${param('outputTokens')}::int[], ${param('costs')}::numeric[])
         AS o (file_id, status, topic, raw_answer, error, input_tokens, output_tokens, cost_usd)
     ), saved AS (
       UPDATE tag_results r SET
         status = CASE WHEN o.status = 'solo' THEN 'pending' ELSE o.status END,
         solo = o.status = 'solo', topic = o.topic, raw_answer = o.raw_answer, error = o.error,
         model = ${param('model')}, request_id = ${param('requestId')}, batch_size = ${param('size')},
         lease_until = NULL,
         input_tokens = coalesce(r.input_tokens, 0) + o.input_tokens,
         output_tokens = coalesce(r.output_tokens, 0) + o.output_tokens,
         cost_usd = coalesce(r.cost_usd, 0) + o.cost_usd,
         attempts = r.attempts + 1, updated_at = now()
       FROM o
       WHERE r.media_file_id = o.file_id AND r.taxonomy_id = ${param('taxonomyId')} AND r.status = 'pending'
       RETURNING r.media_file_id, r.status
     ), billed AS (
       INSERT INTO cost_ledger (kind, media_file_id, batch_id, taxonomy_id, request_id, model, input_tokens,
                                output_tokens, cost_usd)
       SELECT 'tagging', o.file_id, ${taggingBatch(sql`o.file_id`, sql`${param('taxonomyId')}::int`)},
              ${param('taxonomyId')}::int, ${param('requestId')}::text, ${param('model')}::text, o.input_tokens,
              o.output_tokens, o.cost_usd
         FROM o WHERE o.input_tokens + o.output_tokens > 0
     )
     SELECT media_file_id FROM saved WHERE status <> 'pending'`,
);

/**
 * Saves every answer of one batched request in one statement (so in one transaction), with
 * the request it came in, the batch size and the tokens apportioned to each file. Only rows
 * still pending are written: a late save never overwrites a result. The ledger gets every
 * file's share of the request in the same statement, late or not: the request was billed.
 * Returns the files this save made final (tagged or unmatched).
 */
export async function saveBatchOutcomes(
  db: Db,
  taxonomyId: number,
  request: { model: string; requestId: string | null; size: number },
  outcomes: BatchOutcome[],
): Promise<number[]> {
  if (outcomes.length === 0) return [];
  const col = <K extends keyof BatchOutcome>(k: K) => outcomes.map((o) => o[k]);
  const { rows } = await SAVE_BATCH.run<{ media_file_id: string }>(db, {
    taxonomyId,
    model: request.model,
    requestId: request.requestId,
    size: request.size,
    fileIds: col('fileId'),
    statuses: col('status'),
    topics: col('topic'),
    rawAnswers: outcomes.map((o) => o.rawAnswer?.slice(0, 4000) ?? null),
    errors: outcomes.map((o) => o.error?.slice(0, 2000) ?? null),
    inputTokens: col('inputTokens'),
    outputTokens: col('outputTokens'),
    costs: col('costUsd'),
  });
  return rows.map((r) => Number(r.media_file_id));
}
