import type { Db, Tag } from '@mediatag/db';
import { taggingBatchSql } from './ledger.ts';

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
}

/**
 * Loads the file's transcript, the taxonomy's tags and any result so far, in one statement.
 * A transcribed file with no result row gets its `pending` row here, so batched requests can
 * find and claim it.
 */
export async function loadTagTarget(
  db: Db,
  fileId: number,
  taxonomyId: number,
): Promise<TagTarget | undefined> {
  const { rows } = await db.$client.query(
    `WITH made AS (
       INSERT INTO tag_results (media_file_id, taxonomy_id)
       SELECT id, $2 FROM media_files WHERE id = $1 AND transcript_status = 'completed'
       ON CONFLICT DO NOTHING RETURNING status, created_at
     )
     SELECT m.transcript_id, m.transcript_status, m.error_kind = 'gone' AS gone, t.tags, t.name,
            coalesce(r.status, made.status) AS result_status, coalesce(r.created_at, made.created_at) AS ready_at,
            r.lease_until, coalesce(r.solo, false) AS solo, now() AS now
       FROM media_files m CROSS JOIN taxonomies t
       LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = t.id
       LEFT JOIN made ON true
      WHERE m.id = $1 AND t.id = $2`,
    [fileId, taxonomyId],
  );
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
  };
}

/** Files of a taxonomy waiting for a batched request right now, counted up to `limit`. */
export async function countReady(db: Db, taxonomyId: number, limit: number): Promise<number> {
  const { rows } = await db.$client.query(
    `SELECT count(*)::int AS n FROM (
       SELECT 1 FROM tag_results WHERE taxonomy_id = $1 AND status = 'pending' AND NOT solo
          AND (lease_until IS NULL OR lease_until < now()) LIMIT $2) s`,
    [taxonomyId, limit],
  );
  return rows[0]?.n ?? 0;
}

/** One file leased to a batched request, with the text it is tagged by when one is stored. */
export interface ClaimedFile {
  fileId: number;
  transcriptId: string;
  excerpt: string | null;
  excerptTokens: number | null;
}

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
  const { rows } = await db.$client.query(
    `WITH candidates AS (
       SELECT r.media_file_id, r.created_at, r.media_file_id = $1 AS own FROM tag_results r
        WHERE r.taxonomy_id = $2 AND r.status = 'pending' AND NOT r.solo
          AND (r.lease_until IS NULL OR r.lease_until < now())
        ORDER BY r.media_file_id = $1 DESC, r.created_at, r.media_file_id
        LIMIT $3 FOR UPDATE SKIP LOCKED
     ), sized AS (
       SELECT c.media_file_id, row_number() OVER w AS n,
              sum(coalesce(x.excerpt_tokens, $6)) OVER w AS running
         FROM candidates c LEFT JOIN transcript_texts x ON x.media_file_id = c.media_file_id
       WINDOW w AS (ORDER BY c.own DESC, c.created_at, c.media_file_id)
     ), taken AS (
       UPDATE tag_results r SET lease_until = now() + make_interval(secs => $4::float8 / 1000)
         FROM sized s
        WHERE r.media_file_id = s.media_file_id AND r.taxonomy_id = $2 AND (s.n = 1 OR s.running <= $5)
       RETURNING r.media_file_id
     )
     SELECT m.id, m.transcript_id, x.excerpt, x.excerpt_tokens
       FROM taken t JOIN media_files m ON m.id = t.media_file_id
       LEFT JOIN transcript_texts x ON x.media_file_id = m.id
      ORDER BY m.id`,
    [c.fileId, c.taxonomyId, c.limit, c.leaseMs, c.maxTokens, c.unknownTokens],
  );
  return rows.map((r) => ({
    fileId: Number(r.id),
    transcriptId: r.transcript_id,
    excerpt: r.excerpt,
    excerptTokens: r.excerpt_tokens,
  }));
}

/** Gives leased files back unanswered (the request could not be made). */
export async function releaseBatch(db: Db, taxonomyId: number, fileIds: number[]): Promise<void> {
  if (fileIds.length === 0) return;
  await db.$client.query(
    `UPDATE tag_results SET lease_until = NULL
      WHERE taxonomy_id = $1 AND media_file_id = ANY ($2::bigint[]) AND status = 'pending'`,
    [taxonomyId, fileIds],
  );
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

/**
 * Saves every answer of one batched request in one statement (so in one transaction), with
 * the request it came in, the batch size and the tokens apportioned to each file. Only rows
 * still pending are written: a late save never overwrites a result. The ledger gets every
 * file's share of the request in the same statement, late or not: the request was billed.
 */
export async function saveBatchOutcomes(
  db: Db,
  taxonomyId: number,
  request: { model: string; requestId: string | null; size: number },
  outcomes: BatchOutcome[],
): Promise<void> {
  if (outcomes.length === 0) return;
  const col = <K extends keyof BatchOutcome>(k: K) => outcomes.map((o) => o[k]);
  await db.$client.query(
    `WITH o AS (
       SELECT * FROM unnest($2::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[],
                            $11::int[], $12::numeric[])
         AS o (file_id, status, topic, raw_answer, error, input_tokens, output_tokens, cost_usd)
     ), saved AS (
       UPDATE tag_results r SET
         status = CASE WHEN o.status = 'solo' THEN 'pending' ELSE o.status END,
         solo = o.status = 'solo', topic = o.topic, raw_answer = o.raw_answer, error = o.error,
         model = $3, request_id = $4, batch_size = $5, lease_until = NULL,
         input_tokens = coalesce(r.input_tokens, 0) + o.input_tokens,
         output_tokens = coalesce(r.output_tokens, 0) + o.output_tokens,
         cost_usd = coalesce(r.cost_usd, 0) + o.cost_usd,
         attempts = r.attempts + 1, updated_at = now()
       FROM o
       WHERE r.media_file_id = o.file_id AND r.taxonomy_id = $1 AND r.status = 'pending'
     )
     INSERT INTO cost_ledger (kind, media_file_id, batch_id, taxonomy_id, request_id, model, input_tokens,
                              output_tokens, cost_usd)
     SELECT 'tagging', o.file_id, ${taggingBatchSql('o.file_id', '$1')}, $1, $4, $3, o.input_tokens,
            o.output_tokens, o.cost_usd
       FROM o WHERE o.input_tokens + o.output_tokens > 0`,
    [
      taxonomyId,
      col('fileId'),
      request.model,
      request.requestId,
      request.size,
      col('status'),
      col('topic'),
      outcomes.map((o) => o.rawAnswer?.slice(0, 4000) ?? null),
      outcomes.map((o) => o.error?.slice(0, 2000) ?? null),
      col('inputTokens'),
      col('outputTokens'),
      col('costUsd'),
    ],
  );
}

/** The file's stored tagging excerpt, or null when none was kept. */
export async function storedExcerpt(db: Db, fileId: number): Promise<string | null> {
  const { rows } = await db.$client.query('SELECT excerpt FROM transcript_texts WHERE media_file_id = $1', [
    fileId,
  ]);
  return (rows[0]?.excerpt as string | undefined) ?? null;
}

/** Keeps a transcript's tagging excerpt (and its whole text when asked), never its words. */
export async function saveTranscriptText(
  db: Db,
  fileId: number,
  t: { excerpt: string; excerptTokens: number; fullText: string | null; fullTokens: number },
): Promise<void> {
  await db.$client.query(
    `INSERT INTO transcript_texts (media_file_id, excerpt, excerpt_tokens, full_text, full_tokens)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (media_file_id) DO UPDATE SET excerpt = EXCLUDED.excerpt,
       excerpt_tokens = EXCLUDED.excerpt_tokens, full_text = EXCLUDED.full_text, full_tokens = EXCLUDED.full_tokens`,
    [fileId, t.excerpt, t.excerptTokens, t.fullText, t.fullTokens],
  );
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
  await db.$client.query(
    `WITH saved AS (
       INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, raw_answer, model, input_tokens,
                                output_tokens, error, cost_usd, attempts, request_id, batch_size)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, 1)
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
     SELECT 'tagging', $1, ${taggingBatchSql('$1::bigint', '$2::int')}, $2, c.request_id, c.model,
            c.input_tokens, c.output_tokens, c.cost_usd
       FROM unnest($12::text[], $13::text[], $14::int[], $15::int[], $16::numeric[])
         AS c (request_id, model, input_tokens, output_tokens, cost_usd)`,
    [
      fileId,
      taxonomyId,
      o.status,
      o.topic,
      o.rawAnswer?.slice(0, 4000) ?? null,
      o.model,
      o.inputTokens,
      o.outputTokens,
      o.error?.slice(0, 2000) ?? null,
      o.costUsd,
      o.requestId,
      charges.map((c) => c.requestId),
      charges.map((c) => c.model),
      charges.map((c) => c.inputTokens),
      charges.map((c) => c.outputTokens),
      charges.map((c) => c.costUsd),
    ],
  );
}

/** Estimated USD of a request's tokens at the configured prices. */
export function costOf(
  prices: { inputPerMTok: number; outputPerMTok: number },
  inputTokens: number,
  outputTokens: number,
): number {
  return (inputTokens * prices.inputPerMTok + outputTokens * prices.outputPerMTok) / 1e6;
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
