// Rows of an evaluation: eval_runs / eval_answers, and the texts it tags by. Never tag_results.
import type { Db } from '@mediatag/db';
import type { Answer } from './ask.ts';
import type { EffectiveConfig } from './config.ts';
import type { ConfigResult, EvalFile } from './run.ts';

/** What Postgres keeps of a transcript's text. */
export interface StoredText {
  excerpt: string;
  excerptTokens: number;
  fullText: string | null;
  fullTokens: number;
}

/** Loads stored texts of the files (transcript_texts); files with none are absent. */
export async function loadTexts(db: Db, fileIds: number[]): Promise<Map<number, StoredText>> {
  const { rows } = await db.$client.query(
    `SELECT media_file_id, excerpt, excerpt_tokens, full_text, full_tokens FROM transcript_texts
      WHERE media_file_id = ANY ($1::bigint[])`,
    [fileIds],
  );
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

/** The latest stored answer (tagged or unmatched) of each file under a configuration key. */
export async function storedAnswers(db: Db, key: string, fileIds: number[]): Promise<Map<number, Answer>> {
  const { rows } = await db.$client.query(
    `SELECT DISTINCT ON (media_file_id) media_file_id, status, topic, raw_answer, error, model, request_id,
            batch_size, requests, input_tokens, output_tokens, cost_usd
       FROM eval_answers
      WHERE config_key = $1 AND media_file_id = ANY ($2::bigint[]) AND status IN ('tagged', 'unmatched')
      ORDER BY media_file_id, created_at DESC`,
    [key, fileIds],
  );
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

/** Stores one configuration's run and every answer of it in one transaction; returns the run id. */
export async function saveRun(
  db: Db,
  r: {
    invocation: string;
    mode: 'labels' | 'agreement';
    batchId: number | null;
    seed: number | null;
    config: EffectiveConfig;
    files: EvalFile[];
    answers: Array<Answer & { reused: boolean }>;
    spent: ConfigResult['spent'];
  },
): Promise<number> {
  const { config } = r;
  const t = config.settings.tagging;
  const client = await db.$client.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      `INSERT INTO eval_runs (invocation, mode, config_name, config_key, overrides, settings, taxonomy_id, batch_id,
                              seed, files, requests, input_tokens, output_tokens, cost_usd)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
      [
        r.invocation,
        r.mode,
        config.name,
        config.key,
        JSON.stringify(config.overrides),
        JSON.stringify({ ...config.fingerprint, excerptTokens: t.excerptTokens, maxTokens: t.maxTokens }),
        config.taxonomyId,
        r.batchId,
        r.seed,
        r.files.length,
        r.spent.requests,
        r.spent.inputTokens,
        r.spent.outputTokens,
        r.spent.costUsd,
      ],
    );
    const runId = Number(rows[0].id);
    const col = <K extends keyof Answer>(k: K) => r.answers.map((a) => a[k]);
    await client.query(
      `INSERT INTO eval_answers (run_id, config_key, media_file_id, status, topic, expected, raw_answer, error, model,
                                 request_id, batch_size, requests, input_tokens, output_tokens, cost_usd, reused)
       SELECT $1, $2, x.* FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::text[], $10::text[], $11::int[], $12::numeric[], $13::int[], $14::int[], $15::numeric[], $16::boolean[]) AS x`,
      [
        runId,
        config.key,
        col('fileId'),
        col('status'),
        col('topic'),
        r.files.map((f) => f.expected),
        r.answers.map((a) => a.rawAnswer?.slice(0, 4000) ?? null),
        r.answers.map((a) => a.error?.slice(0, 2000) ?? null),
        col('model'),
        col('requestId'),
        col('batchSize'),
        col('requests'),
        col('inputTokens'),
        col('outputTokens'),
        col('costUsd'),
        r.answers.map((a) => a.reused),
      ],
    );
    await client.query('COMMIT');
    return runId;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Stores the reported figures of each run (the JSON output) for later SQL. */
export async function saveMetrics(db: Db, runId: number, metrics: unknown): Promise<void> {
  await db.$client.query('UPDATE eval_runs SET metrics = $2 WHERE id = $1', [runId, JSON.stringify(metrics)]);
}
