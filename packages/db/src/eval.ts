// `mediatag eval`: the files it samples, the texts it tags by, and eval_runs / eval_answers.
// An evaluation never writes tag_results.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { TagStatus, TranscriptStatus } from './schema.ts';

/** What Postgres keeps of a transcript's text. */
export interface StoredText {
  excerpt: string;
  excerptTokens: number;
  fullText: string | null;
  fullTokens: number;
}

/** Stored texts of the files (transcript_texts); files with none are absent. */
export async function storedTexts(db: Db, fileIds: number[]): Promise<Map<number, StoredText>> {
  const { rows } = await db.execute<{
    media_file_id: string;
    excerpt: string;
    excerpt_tokens: number;
    full_text: string | null;
    full_tokens: number;
  }>(sql`
    SELECT media_file_id, excerpt, excerpt_tokens, full_text, full_tokens FROM transcript_texts
     WHERE media_file_id = ANY (${sql.param(fileIds)}::bigint[])`);
  return new Map(
    rows.map((r) => [
      Number(r.media_file_id),
      {
        excerpt: r.excerpt,
        excerptTokens: r.excerpt_tokens,
        fullText: r.full_text,
        fullTokens: r.full_tokens,
      },
    ]),
  );
}

/** One file's answer under one configuration. */
export interface EvalAnswer {
  fileId: number;
  status: Exclude<TagStatus, 'pending'>;
  topic: string | null;
  rawAnswer: string | null;
  error: string | null;
  model: string;
  requestId: string | null;
  batchSize: number;
  /** Share of gateway requests (1/n of a batched request, + 1 per request asked alone). */
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** The latest stored answer (tagged or unmatched) of each file under a configuration key. */
export async function storedEvalAnswers(
  db: Db,
  configKey: string,
  fileIds: number[],
): Promise<Map<number, EvalAnswer>> {
  const { rows } = await db.execute<{
    media_file_id: string;
    status: 'tagged' | 'unmatched';
    topic: string | null;
    raw_answer: string | null;
    error: string | null;
    model: string;
    request_id: string | null;
    batch_size: number;
    requests: string;
    input_tokens: number;
    output_tokens: number;
    cost_usd: string;
  }>(sql`
    SELECT DISTINCT ON (media_file_id) media_file_id, status, topic, raw_answer, error, model, request_id,
           batch_size, requests, input_tokens, output_tokens, cost_usd
      FROM eval_answers
     WHERE config_key = ${configKey} AND media_file_id = ANY (${sql.param(fileIds)}::bigint[])
       AND status IN ('tagged', 'unmatched')
     ORDER BY media_file_id, created_at DESC`);
  return new Map(
    rows.map((r) => [
      Number(r.media_file_id),
      {
        fileId: Number(r.media_file_id),
        status: r.status,
        topic: r.topic,
        rawAnswer: r.raw_answer,
        error: r.error,
        model: r.model,
        requestId: r.request_id,
        batchSize: r.batch_size,
        requests: Number(r.requests),
        inputTokens: r.input_tokens,
        outputTokens: r.output_tokens,
        costUsd: Number(r.cost_usd),
      },
    ]),
  );
}

/** One evaluated configuration of one `mediatag eval` invocation, as `saveEvalRun` stores it. */
export interface EvalRun {
  invocation: string;
  mode: 'labels' | 'agreement';
  configName: string;
  configKey: string;
  overrides: unknown;
  settings: unknown;
  taxonomyId: number;
  batchId: number | null;
  seed: number | null;
  files: number;
  spent: { requests: number; inputTokens: number; outputTokens: number; costUsd: number };
}

/**
 * Stores one configuration's run and every answer of it (with the expected topic, and
 * whether it was reused from an earlier run) in one transaction; returns the run id.
 */
export async function saveEvalRun(
  db: Db,
  run: EvalRun,
  answers: Array<EvalAnswer & { expected: string | null; reused: boolean }>,
): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ id: string }>(sql`
      INSERT INTO eval_runs (invocation, mode, config_name, config_key, overrides, settings, taxonomy_id, batch_id,
                             seed, files, requests, input_tokens, output_tokens, cost_usd)
      VALUES (${run.invocation}, ${run.mode}, ${run.configName}, ${run.configKey}, ${JSON.stringify(run.overrides)},
              ${JSON.stringify(run.settings)}, ${run.taxonomyId}, ${run.batchId}, ${run.seed}, ${run.files},
              ${run.spent.requests}, ${run.spent.inputTokens}, ${run.spent.outputTokens}, ${run.spent.costUsd})
      RETURNING id`);
    const runId = Number(rows[0]?.id);
    const col = (f: (a: (typeof answers)[number]) => unknown) => sql.param(answers.map(f));
    await tx.execute(sql`
      INSERT INTO eval_answers (run_id, config_key, media_file_id, status, topic, expected, raw_answer, error, model,
                                request_id, batch_size, requests, input_tokens, output_tokens, cost_usd, reused)
      SELECT ${runId}::bigint, ${run.configKey}::text, x.*
        FROM unnest(${col((a) => a.fileId)}::bigint[], ${col((a) => a.status)}::text[],
                    ${col((a) => a.topic)}::text[], ${col((a) => a.expected)}::text[],
                    ${col((a) => a.rawAnswer?.slice(0, 4000) ?? null)}::text[],
                    ${col((a) => a.error?.slice(0, 2000) ?? null)}::text[], ${col((a) => a.model)}::text[],
                    ${col((a) => a.requestId)}::text[], ${col((a) => a.batchSize)}::int[],
                    ${col((a) => a.requests)}::numeric[], ${col((a) => a.inputTokens)}::int[],
                    ${col((a) => a.outputTokens)}::int[], ${col((a) => a.costUsd)}::numeric[],
                    ${col((a) => a.reused)}::boolean[]) AS x`);
    return runId;
  });
}

/** Stores the reported figures of a run (the JSON output) for later SQL. */
export async function saveEvalMetrics(db: Db, runId: number, metrics: unknown): Promise<void> {
  await db.execute(sql`UPDATE eval_runs SET metrics = ${JSON.stringify(metrics)} WHERE id = ${runId}`);
}

/** A media file an evaluation may use, with its current topic from the taxonomy (null if none). */
export interface EvalCandidate {
  fileId: number;
  url: string;
  transcriptId: string | null;
  transcriptStatus: TranscriptStatus;
  /** Its topic under the taxonomy, when tagged. */
  topic: string | null;
}

type CandidateRow = {
  id: string;
  url: string;
  transcript_id: string | null;
  transcript_status: TranscriptStatus;
  topic: string | null;
};

const toCandidate = (r: CandidateRow): EvalCandidate => ({
  fileId: Number(r.id),
  url: r.url,
  transcriptId: r.transcript_id,
  transcriptStatus: r.transcript_status,
  topic: r.topic,
});

/** The media files with one of these URLs or transcript ids (hand labels name files either way). */
export async function filesByUrlOrTranscript(
  db: Db,
  q: { urls: string[]; transcriptIds: string[]; taxonomyId: number },
): Promise<EvalCandidate[]> {
  const { rows } = await db.execute<CandidateRow>(sql`
    SELECT m.id, m.url, m.transcript_id, m.transcript_status, r.topic FROM media_files m
      LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = ${q.taxonomyId} AND r.status = 'tagged'
     WHERE m.url = ANY (${sql.param(q.urls)}::text[]) OR m.transcript_id = ANY (${sql.param(q.transcriptIds)}::text[])`);
  return rows.map(toCandidate);
}

/** A batch's files with a completed transcript, in id order (the population a sample is drawn from). */
export async function completedFilesOfBatch(
  db: Db,
  batchId: number,
  taxonomyId: number,
): Promise<Array<EvalCandidate & { transcriptId: string }>> {
  const { rows } = await db.execute<CandidateRow & { transcript_id: string }>(sql`
    SELECT m.id, m.url, m.transcript_id, m.transcript_status, r.topic FROM batch_files bf
      JOIN media_files m ON m.id = bf.media_file_id
      LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = ${taxonomyId} AND r.status = 'tagged'
     WHERE bf.batch_id = ${batchId} AND m.transcript_status = 'completed' AND m.transcript_id IS NOT NULL
     ORDER BY m.id`);
  return rows.map((r) => ({ ...toCandidate(r), transcriptId: r.transcript_id }));
}
