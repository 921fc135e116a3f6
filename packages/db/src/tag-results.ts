// One tag result per (file, taxonomy version): what the tagger loads before asking, and the
// single-file attempt's outcome with the ledger rows of the requests it took.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { taggingBatch } from './ledger.ts';
import type { Tag } from './schema.ts';
import { param, prepared } from './statement.ts';

/** What the tagger needs about one (file, taxonomy) pair. */
export interface TagTarget {
  fileId: number;
  taxonomyId: number;
  transcriptId: string | null;
  transcriptStatus: string;
  tags: Tag[];
  taxonomy: string;
  resultStatus: string | null;
  /** When the pair started waiting for a topic (its pending row was made). */
  readyAt: Date | null;
  /** Leased to a batched request until then (null: free). */
  leaseUntil: Date | null;
  /** Its batched answer failed validation: ask for it alone. */
  solo: boolean;
  /** The database's clock, to compare with readyAt and leaseUntil. */
  now: Date;
  /** AssemblyAI no longer has the transcript: tag from the stored excerpt. */
  gone: boolean;
  /**
   * Files of the taxonomy free for a batched request now, counted up to `readyLimit`; null
   * unless this one waits for a batch itself (pending, not solo, not leased).
   */
  ready: number | null;
}

const LOAD_TARGET = prepared(
  'tag_results/load_target',
  sql`WITH made AS (
       INSERT INTO tag_results (media_file_id, taxonomy_id)
       SELECT id, ${param('taxonomyId')}::int FROM media_files WHERE id = ${param('fileId')} AND transcript_status = 'completed'
       ON CONFLICT DO NOTHING RETURNING status, created_at
     )
     SELECT m.transcript_id, m.transcript_status, m.error_kind = 'gone' AS gone, t.tags, t.name,
            coalesce(r.status, made.status) AS result_status, coalesce(r.created_at, made.created_at) AS ready_at,
            r.lease_until, coalesce(r.solo, false) AS solo, now() AS now,
            -- Evaluated only for a file that waits for a batch: is the batch full yet?
            CASE WHEN ${param('readyLimit')}::int > 0 AND coalesce(r.status, made.status) = 'pending'
                      AND NOT coalesce(r.solo, false) AND (r.lease_until IS NULL OR r.lease_until < now())
                 THEN (SELECT count(*)::int FROM (
                         SELECT 1 FROM tag_results x
                          WHERE x.taxonomy_id = ${param('taxonomyId')} AND x.status = 'pending' AND NOT x.solo
                            AND (x.lease_until IS NULL OR x.lease_until < now())
                          LIMIT ${param('readyLimit')}::int) s) END AS ready
       FROM media_files m CROSS JOIN taxonomies t
       LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = t.id
       LEFT JOIN made ON true
      WHERE m.id = ${param('fileId')} AND t.id = ${param('taxonomyId')}`,
);

/**
 * Loads the file's transcript, the taxonomy's tags and any result so far, in one statement.
 * A transcribed file with no result row gets its `pending` row here, so batched requests can
 * find and claim it. With `readyLimit` > 0 (batched tagging) it also counts the files ready
 * for a batch, up to that many, when this one waits for a batch.
 */
export async function loadTagTarget(
  db: Db,
  fileId: number,
  taxonomyId: number,
  readyLimit = 0,
): Promise<TagTarget | undefined> {
  const { rows } = await LOAD_TARGET.run<{
    transcript_id: string | null;
    transcript_status: string;
    gone: boolean | null;
    tags: Tag[];
    name: string;
    result_status: string | null;
    ready_at: Date | null;
    lease_until: Date | null;
    solo: boolean;
    now: Date;
    ready: number | null;
  }>(db, { fileId, taxonomyId, readyLimit });
  const r = rows[0];
  if (!r) return undefined;
  return {
    fileId,
    taxonomyId,
    transcriptId: r.transcript_id,
    transcriptStatus: r.transcript_status,
    tags: r.tags,
    taxonomy: r.name,
    resultStatus: r.result_status,
    readyAt: r.ready_at,
    leaseUntil: r.lease_until,
    solo: r.solo,
    now: r.now,
    gone: r.gone === true,
    ready: r.ready,
  };
}

/** One billed gateway request of a single-file attempt. */
export interface Charge {
  requestId: string | null;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** A finished (or failed) tagging attempt. */
export interface TagOutcome {
  status: 'tagged' | 'unmatched' | 'error';
  topic: string | null;
  rawAnswer: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  error: string | null;
  /** The gateway's request_id of the answer, when there was one. */
  requestId: string | null;
  /** The requests this attempt was billed for (an answer and its repair are two). */
  charges?: Charge[];
}

/** A failed tagging attempt, stored with its reason. */
export function errorOutcome(model: string | null, reason: string): TagOutcome {
  return {
    status: 'error',
    topic: null,
    rawAnswer: null,
    model,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    error: reason,
    requestId: null,
  };
}

const SAVE_OUTCOME = prepared(
  'tag_results/save_outcome',
  sql`WITH saved AS (
       INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, raw_answer, model, input_tokens,
                                output_tokens, error, cost_usd, attempts, request_id, batch_size)
       VALUES (${param('fileId')}, ${param('taxonomyId')}, ${param('status')}, ${param('topic')},
               ${param('rawAnswer')}, ${param('model')}, ${param('inputTokens')}, ${param('outputTokens')},
               ${param('error')}, ${param('costUsd')}, 1, ${param('requestId')}, 1)
       ON CONFLICT (media_file_id, taxonomy_id) DO UPDATE SET
         status = EXCLUDED.status, topic = EXCLUDED.topic, raw_answer = EXCLUDED.raw_answer,
         model = EXCLUDED.model, request_id = EXCLUDED.request_id, batch_size = 1, lease_until = NULL,
         input_tokens = coalesce(tag_results.input_tokens, 0) + coalesce(EXCLUDED.input_tokens, 0),
         output_tokens = coalesce(tag_results.output_tokens, 0) + coalesce(EXCLUDED.output_tokens, 0),
         cost_usd = coalesce(tag_results.cost_usd, 0) + coalesce(EXCLUDED.cost_usd, 0),
         error = EXCLUDED.error, attempts = tag_results.attempts + 1, updated_at = now()
     )
     INSERT INTO cost_ledger (kind, media_file_id, batch_id, taxonomy_id, request_id, model, input_tokens,
                              output_tokens, cost_usd)
     SELECT 'tagging', ${param('fileId')}::bigint,
            ${taggingBatch(sql`${param('fileId')}::bigint`, sql`${param('taxonomyId')}::int`)},
            ${param('taxonomyId')}::int, c.request_id, c.model, c.input_tokens, c.output_tokens, c.cost_usd
       FROM unnest(${param('chargeRequestIds')}::text[], ${param('chargeModels')}::text[],
                   ${param('chargeInputTokens')}::int[], ${param('chargeOutputTokens')}::int[],
                   ${param('chargeCosts')}::numeric[])
         AS c (request_id, model, input_tokens, output_tokens, cost_usd)`,
);

/**
 * Upserts the result; one row per (file, taxonomy) whatever the number of attempts. The
 * attempt's billed requests go in the ledger in the same statement.
 */
export async function saveTagOutcome(
  db: Db,
  fileId: number,
  taxonomyId: number,
  o: TagOutcome,
): Promise<void> {
  const charges = o.charges ?? [];
  await SAVE_OUTCOME.run(db, {
    fileId,
    taxonomyId,
    status: o.status,
    topic: o.topic,
    rawAnswer: o.rawAnswer?.slice(0, 4000) ?? null,
    model: o.model,
    inputTokens: o.inputTokens,
    outputTokens: o.outputTokens,
    error: o.error?.slice(0, 2000) ?? null,
    costUsd: o.costUsd,
    requestId: o.requestId,
    chargeRequestIds: charges.map((c) => c.requestId),
    chargeModels: charges.map((c) => c.model),
    chargeInputTokens: charges.map((c) => c.inputTokens),
    chargeOutputTokens: charges.map((c) => c.outputTokens),
    chargeCosts: charges.map((c) => c.costUsd),
  });
}
