import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/** Where the files of one batch (or all batches) stand. */
export interface Progress {
  batch: string | null;
  total: number;
  /** Not yet submitted to AssemblyAI. */
  pending: number;
  queued: number;
  processing: number;
  /** Transcribed, waiting for a topic (`needs_tagging`, migrations/0011_needs_tagging.sql). */
  tagging: number;
  tagged: number;
  unmatched: number;
  transcriptErrors: number;
  tagErrors: number;
  /** Final = tagged, unmatched or failed; nothing more will happen without `retry`. */
  final: number;
  failed: number;
  audioSeconds: number;
  inputTokens: number;
  outputTokens: number;
  /** Estimated USD: transcription (per audio hour) + LLM (per token), at the prices in force when incurred. */
  costUsd: number;
}

/** The progress of a batch with no files (it has no row in `tagged_files`). */
export function emptyProgress(batch: string): Progress {
  return {
    batch,
    total: 0,
    pending: 0,
    queued: 0,
    processing: 0,
    tagging: 0,
    tagged: 0,
    unmatched: 0,
    transcriptErrors: 0,
    tagErrors: 0,
    final: 0,
    failed: 0,
    audioSeconds: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };
}

/** Counts per stage from `tagged_files`, for one batch or every batch. */
export async function batchProgress(db: Db, batch?: string): Promise<Progress[]> {
  const filter = batch === undefined ? sql`` : sql`WHERE batch = ${batch}`;
  const result = await db.execute(sql`
    SELECT batch,
      count(*)::int AS total,
      count(*) FILTER (WHERE transcript_status = 'pending')::int AS pending,
      count(*) FILTER (WHERE transcript_status = 'queued')::int AS queued,
      count(*) FILTER (WHERE transcript_status = 'processing')::int AS processing,
      count(*) FILTER (WHERE needs_tagging(transcript_status, tag_status))::int AS tagging,
      count(*) FILTER (WHERE tag_status = 'tagged')::int AS tagged,
      count(*) FILTER (WHERE tag_status = 'unmatched')::int AS unmatched,
      count(*) FILTER (WHERE transcript_status = 'error')::int AS transcript_errors,
      count(*) FILTER (WHERE transcript_status <> 'error' AND tag_status = 'error')::int AS tag_errors,
      coalesce(sum(audio_duration_s) FILTER (WHERE transcript_status = 'completed'), 0)::bigint AS audio_seconds,
      coalesce(sum(input_tokens), 0)::bigint AS input_tokens,
      coalesce(sum(output_tokens), 0)::bigint AS output_tokens,
      coalesce(sum(transcription_cost_usd), 0) + coalesce(sum(llm_cost_usd), 0) AS cost_usd
    FROM tagged_files ${filter}
    GROUP BY batch ORDER BY batch`);
  return result.rows.map((r) => {
    const n = (k: string) => Number(r[k] ?? 0);
    const failed = n('transcript_errors') + n('tag_errors');
    return {
      batch: String(r.batch),
      total: n('total'),
      pending: n('pending'),
      queued: n('queued'),
      processing: n('processing'),
      tagging: n('tagging'),
      tagged: n('tagged'),
      unmatched: n('unmatched'),
      transcriptErrors: n('transcript_errors'),
      tagErrors: n('tag_errors'),
      final: n('tagged') + n('unmatched') + failed,
      failed,
      audioSeconds: n('audio_seconds'),
      inputTokens: n('input_tokens'),
      outputTokens: n('output_tokens'),
      costUsd: n('cost_usd'),
    };
  });
}

/** What the last half hour measured, for every batch together (the account's limits are shared). */
export interface RecentPace {
  /** Mean seconds from submission to completion of recent transcripts; null when none finished. */
  meanProcessingS: number | null;
  /** Mean files per gateway request of recent tag results; null when none. */
  filesPerRequest: number | null;
}

/** Recent processing time and files per gateway request (cheap: partial indexes, last 30 min). */
export async function recentPace(db: Db): Promise<RecentPace> {
  const result = await db.execute(sql`
    SELECT
      (SELECT avg(extract(epoch FROM completed_at - submitted_at))::float8 FROM media_files
        WHERE transcript_status = 'completed' AND completed_at > now() - interval '30 minutes') AS processing_s,
      (SELECT (count(*)::float8 / nullif(count(DISTINCT request_id), 0)) FROM tag_results
        WHERE request_id IS NOT NULL AND updated_at > now() - interval '30 minutes') AS files_per_request`);
  const r = result.rows[0] ?? {};
  const num = (v: unknown) => (v == null ? null : Number(v));
  return { meanProcessingS: num(r.processing_s), filesPerRequest: num(r.files_per_request) };
}

/**
 * Files per batch submitted again after the search for an earlier attempt's transcript gave up
 * (`media_files.submit_search_gave_up_at`): each may have been paid for twice.
 */
export async function resubmittedAfterSearch(db: Db, batch?: string): Promise<Map<string, number>> {
  const filter = batch === undefined ? sql`` : sql`AND b.name = ${batch}`;
  const result = await db.execute(sql`
    SELECT b.name AS batch, count(*)::int AS n FROM media_files m
      JOIN batch_files bf ON bf.media_file_id = m.id JOIN batches b ON b.id = bf.batch_id
     WHERE m.submit_search_gave_up_at IS NOT NULL ${filter}
     GROUP BY b.name`);
  return new Map(result.rows.map((r) => [String(r.batch), Number(r.n)]));
}

// Not final: not yet transcribed, or transcribed and waiting for its topic (as in batchProgress).
const UNFINISHED = sql`(transcript_status IN ('pending', 'queued', 'processing')
  OR needs_tagging(transcript_status, tag_status))`;

const inBatches = (names: string[] | null) =>
  names === null ? sql`true` : sql`batch = ANY (${sql.param(names)}::text[])`;

/**
 * Whether any file of the batches (every batch for null) is not final. One EXISTS query: it
 * stops at the first unfinished file.
 */
export async function anyUnfinished(db: Db, names: string[] | null): Promise<boolean> {
  const { rows } = await db.execute<{ left: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM tagged_files WHERE ${inBatches(names)} AND ${UNFINISHED}) AS left`);
  return rows[0]?.left === true;
}

/** Files of the batches (every batch for null) whose transcription or tagging failed. */
export async function countFailed(db: Db, names: string[] | null): Promise<number> {
  const { rows } = await db.execute<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM tagged_files
     WHERE ${inBatches(names)} AND (transcript_status = 'error' OR tag_status = 'error')`);
  return Number(rows[0]?.n ?? 0);
}
