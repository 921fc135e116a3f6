import { batchProgress, type Db, emptyProgress, type Progress } from '@mediatag/db';
import { type Evaluation, loadEvaluations } from './evaluation.ts';
import { type Binning, chooseBinning } from './histogram.ts';

/** Rows of the unmatched-and-failed table per batch; the rest is only counted. */
export const MAX_PROBLEM_ROWS = 500;

/** A batch asked for that does not exist; the CLI makes it a usage error, the server a 404. */
export class UnknownBatchError extends Error {
  override readonly name = 'UnknownBatchError';
  readonly code = 'UNKNOWN_BATCH';
  constructor(readonly batch: string) {
    super(`no batch named "${batch}" (see: mediatag status)`);
  }
}

/** Spend of a batch, read from the `batch_costs` view (the figures `SELECT * FROM batch_costs` shows). */
export interface BatchCosts {
  audioHours: number;
  llmInputTokens: number;
  llmOutputTokens: number;
  transcriptionUsd: number;
  llmUsd: number;
  totalUsd: number;
}

/** A file that did not end with a topic, and why. */
export interface ProblemFile {
  url: string;
  title: string | null;
  /** `transcription failed`, `tagging failed` or `unmatched`. */
  kind: string;
  transcriptStatus: string;
  tagStatus: string;
  /** The stored error (or for unmatched, why the answer was refused). */
  reason: string | null;
  /** What the model answered, for unmatched files. */
  rawAnswer: string | null;
}

/** Everything the report shows about one batch. */
export interface BatchReport {
  name: string;
  createdAt: Date;
  taxonomy: { name: string; version: number };
  /** The same counts as `mediatag status`. */
  progress: Progress;
  costs: BatchCosts;
  /** Every tag of the batch's list (zeros included, in list order). */
  topics: { topic: string; count: number }[];
  /** Seconds from submission to completion of the batch's completed transcripts. */
  processing: {
    count: number;
    medianS: number | null;
    p90S: number | null;
    maxS: number | null;
    bins: number[];
  };
  problems: { rows: ProblemFile[]; total: number };
  /** The newest `mediatag eval` invocation of the batch (see loadEvaluations), or null: no section. */
  evaluation: Evaluation | null;
}

/** The figures of one or more batches, with the histogram bins they share. */
export interface ReportData {
  batches: BatchReport[];
  binning: Binning;
  generatedAt: Date;
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

/**
 * Reads the report of the named batches (one query per figure, each bounded by the batch's
 * rows; the problem table stops at MAX_PROBLEM_ROWS). Throws UnknownBatchError for a name
 * that is not a batch.
 */
export async function loadReport(db: Db, names: string[], now = new Date()): Promise<ReportData> {
  const client = db.$client;
  const { rows: found } = await client.query(
    `SELECT b.id, b.name, b.created_at, t.name AS taxonomy, t.version, t.tags
       FROM batches b JOIN taxonomies t ON t.id = b.taxonomy_id WHERE b.name = ANY($1::text[])`,
    [names],
  );
  const byName = new Map(found.map((r) => [String(r.name), r]));
  const missing = names.find((n) => !byName.has(n));
  if (missing !== undefined) throw new UnknownBatchError(missing);
  const ids = names.map((n) => Number(byName.get(n)?.id));

  const [costs, topics, problems, durations, evaluations] = await Promise.all([
    client.query('SELECT * FROM batch_costs WHERE batch = ANY($1::text[])', [names]),
    client.query(
      `SELECT batch_id, topic, count(*)::int AS n FROM tagged_files
        WHERE batch_id = ANY($1::int[]) AND topic IS NOT NULL GROUP BY batch_id, topic`,
      [ids],
    ),
    client.query(
      `SELECT * FROM (
         SELECT batch_id, url, title, transcript_status, tag_status, error, raw_answer,
           count(*) OVER (PARTITION BY batch_id) AS total,
           row_number() OVER (PARTITION BY batch_id
             ORDER BY (transcript_status = 'error') DESC, (tag_status = 'error') DESC, media_file_id) AS n
         FROM tagged_files
         WHERE batch_id = ANY($1::int[]) AND (transcript_status = 'error' OR tag_status IN ('error', 'unmatched'))
       ) p WHERE n <= ${MAX_PROBLEM_ROWS} ORDER BY batch_id, n`,
      [ids],
    ),
    client.query(
      `SELECT bf.batch_id, count(*)::int AS n,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY s) AS p90,
          percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS p99,
          max(s) AS max
        FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id,
          LATERAL (SELECT greatest(0, extract(epoch FROM m.completed_at - m.submitted_at))::float8 AS s) d
        WHERE bf.batch_id = ANY($1::int[]) AND m.transcript_status = 'completed'
          AND m.completed_at IS NOT NULL AND m.submitted_at IS NOT NULL
        GROUP BY bf.batch_id`,
      [ids],
    ),
    loadEvaluations(db, ids),
  ]);

  const stats = new Map(durations.rows.map((r) => [Number(r.batch_id), r]));
  const maxS = Math.max(0, ...durations.rows.map((r) => num(r.max)));
  const p99S = Math.max(0, ...durations.rows.map((r) => num(r.p99)));
  const binning = chooseBinning(maxS, p99S);
  const { rows: binRows } = await client.query(
    `SELECT bf.batch_id, least(floor(greatest(0, extract(epoch FROM m.completed_at - m.submitted_at)) / $2), $3)::int AS bin,
        count(*)::int AS n
      FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id
      WHERE bf.batch_id = ANY($1::int[]) AND m.transcript_status = 'completed'
        AND m.completed_at IS NOT NULL AND m.submitted_at IS NOT NULL
      GROUP BY 1, 2`,
    [ids, binning.widthS, binning.bins - 1],
  );

  const batches: BatchReport[] = [];
  for (const [i, name] of names.entries()) {
    const row = byName.get(name) as Record<string, unknown>;
    const id = ids[i] as number;
    const [progress] = await batchProgress(db, name);
    const cost = costs.rows.find((r) => r.batch === name) ?? {};
    const counts = new Map<string, number>(
      topics.rows.filter((r) => Number(r.batch_id) === id).map((r) => [String(r.topic), num(r.n)]),
    );
    const tags = (row.tags as { name: string }[]).map((t) => t.name);
    const bins = new Array<number>(binning.bins).fill(0);
    for (const r of binRows) if (Number(r.batch_id) === id) bins[num(r.bin)] = num(r.n);
    const s = stats.get(id);
    const mine = problems.rows.filter((r) => Number(r.batch_id) === id);
    batches.push({
      name,
      createdAt: new Date(String(row.created_at)),
      taxonomy: { name: String(row.taxonomy), version: num(row.version) },
      progress: progress ?? emptyProgress(name),
      costs: {
        audioHours: num(cost.audio_hours),
        llmInputTokens: num(cost.llm_input_tokens),
        llmOutputTokens: num(cost.llm_output_tokens),
        transcriptionUsd: num(cost.transcription_cost_usd),
        llmUsd: num(cost.llm_cost_usd),
        totalUsd: num(cost.total_cost_usd),
      },
      // A topic no longer in the list (cannot happen through tagged_files today) still shows.
      topics: [...new Set([...tags, ...counts.keys()])].map((topic) => ({
        topic,
        count: counts.get(topic) ?? 0,
      })),
      processing: {
        count: num(s?.n),
        medianS: numOrNull(s?.p50),
        p90S: numOrNull(s?.p90),
        maxS: numOrNull(s?.max),
        bins,
      },
      problems: { rows: mine.map(problemFile), total: num(mine[0]?.total) },
      evaluation: evaluations.get(id) ?? null,
    });
  }
  return { batches, binning, generatedAt: now };
}

function problemFile(r: Record<string, unknown>): ProblemFile {
  const transcriptStatus = String(r.transcript_status);
  const tagStatus = String(r.tag_status);
  const kind =
    transcriptStatus === 'error'
      ? 'transcription failed'
      : tagStatus === 'error'
        ? 'tagging failed'
        : 'unmatched';
  return {
    url: String(r.url),
    title: r.title == null ? null : String(r.title),
    kind,
    transcriptStatus,
    tagStatus,
    reason: r.error == null ? null : String(r.error),
    rawAnswer: r.raw_answer == null ? null : String(r.raw_answer),
  };
}

/** One line of the batch list: where each batch stands, for `/batches`. */
export async function listBatches(db: Db): Promise<Progress[]> {
  return batchProgress(db);
}
