// The `mediatag eval` figures a batch report shows, read from eval_runs / eval_answers. The
// figures are recomputed from the answers (the system of record) rather than read from
// eval_runs.metrics, which a run that died before its last UPDATE lacks; only Cohen's kappa,
// which SQL cannot easily redo, comes from metrics.
import type { Db } from '@mediatag/db';

/** The answer column of a file whose answer named no single tag (as `mediatag eval` calls it). */
export const UNMATCHED = 'unmatched';

/** Hand label × answer counts: `tags` are the rows, and the columns with UNMATCHED appended. */
export interface ConfusionCounts {
  tags: string[];
  /** counts[label][answer]; the last column is UNMATCHED. */
  counts: number[][];
}

/** One configuration of an evaluation, as `mediatag eval` prints it. */
export interface EvalConfigFigures {
  runId: number;
  name: string;
  overrides: Record<string, string>;
  model: string | null;
  batchSize: number | null;
  files: number;
  /** Files the gateway could not answer: not scored. */
  failed: number;
  scored: number;
  /** Answers equal to the hand label (labels mode). */
  correct: number;
  accuracy: number | null;
  unmatched: number;
  unmatchedRate: number | null;
  tokensPerFile: number | null;
  costPerFileUsd: number | null;
  requestsPerFile: number | null;
  /** Gateway requests the invocation actually sent (re-used answers cost none). */
  requestsSent: number;
  /** Agreement mode: against the invocation's first configuration (null for that one). */
  agreement: { with: string; files: number; agree: number; rate: number | null; kappa: number | null } | null;
  /** Labels mode: the confusion matrix, only tags used as a label or an answer. */
  confusion: ConfusionCounts | null;
}

/** The most recent `mediatag eval` invocation that belongs to a batch. */
export interface Evaluation {
  invocation: string;
  mode: 'labels' | 'agreement';
  createdAt: Date;
  taxonomy: { name: string; version: number };
  /** Evaluation runs (configurations of any invocation) that belong to the batch. */
  runsInBatch: number;
  configs: EvalConfigFigures[];
}

const num = (v: unknown): number => Number(v ?? 0);
const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/**
 * Which runs belong to a batch: those sampled from it (`batch_id`), and hand-label runs whose
 * every answered file is one of the batch's files (a gold file is not tied to a batch, so its
 * files decide). Of these, the newest invocation is shown.
 */
const ELIGIBLE = `
  SELECT b.id AS batch_id, r.id AS run_id, r.invocation
    FROM unnest($1::int[]) AS b(id)
    JOIN eval_runs r ON r.batch_id = b.id
      OR (r.mode = 'labels'
          AND EXISTS (SELECT 1 FROM eval_answers a WHERE a.run_id = r.id)
          AND NOT EXISTS (
            SELECT 1 FROM eval_answers a WHERE a.run_id = r.id AND NOT EXISTS (
              SELECT 1 FROM batch_files bf WHERE bf.batch_id = b.id AND bf.media_file_id = a.media_file_id)))`;

/** The newest evaluation of each of the batches (by id) that has one. */
export async function loadEvaluations(db: Db, batchIds: number[]): Promise<Map<number, Evaluation>> {
  const client = db.$client;
  const { rows: eligible } = await client.query(
    `SELECT batch_id, count(*)::int AS runs, (array_agg(invocation ORDER BY run_id DESC))[1] AS invocation
       FROM (${ELIGIBLE}) e GROUP BY batch_id`,
    [batchIds],
  );
  const out = new Map<number, Evaluation>();
  if (eligible.length === 0) return out;
  const invocations = [...new Set(eligible.map((r) => String(r.invocation)))];
  const { rows: runs } = await client.query(
    `SELECT r.id, r.invocation, r.mode, r.config_name, r.overrides, r.settings->>'model' AS model,
        r.settings->>'batchSize' AS batch_size, r.requests AS requests_sent, r.created_at,
        t.name AS taxonomy, t.version, t.tags,
        count(a.run_id)::int AS files,
        count(*) FILTER (WHERE a.status = 'error')::int AS failed,
        count(*) FILTER (WHERE a.status IN ('tagged', 'unmatched'))::int AS scored,
        count(*) FILTER (WHERE a.status = 'tagged' AND a.topic = a.expected)::int AS correct,
        count(*) FILTER (WHERE a.status = 'unmatched')::int AS unmatched,
        sum(a.input_tokens + a.output_tokens) FILTER (WHERE a.status <> 'error') AS tokens,
        sum(a.cost_usd) FILTER (WHERE a.status <> 'error') AS cost,
        sum(a.requests) FILTER (WHERE a.status <> 'error') AS requests,
        (SELECT p->>'kappa' FROM jsonb_array_elements(
            CASE WHEN jsonb_typeof(r.metrics->'agreement') = 'array' THEN r.metrics->'agreement' ELSE '[]' END) p
          WHERE p->>'b' = r.config_name LIMIT 1) AS kappa
       FROM eval_runs r JOIN taxonomies t ON t.id = r.taxonomy_id
       LEFT JOIN eval_answers a ON a.run_id = r.id
      WHERE r.invocation = ANY($1::uuid[])
      GROUP BY r.id, t.id ORDER BY r.id`,
    [invocations],
  );
  const labelRuns = runs.filter((r) => r.mode === 'labels').map((r) => Number(r.id));
  const firstOf = new Map<string, Record<string, unknown>>();
  for (const r of runs) if (!firstOf.has(String(r.invocation))) firstOf.set(String(r.invocation), r);
  const agreementFirsts = [...firstOf.values()]
    .filter((r) => r.mode === 'agreement')
    .map((r) => Number(r.id));
  const [cells, pairs] = await Promise.all([
    client.query(
      `SELECT run_id, expected, topic, count(*)::int AS n FROM eval_answers
        WHERE run_id = ANY($1::bigint[]) AND status <> 'error' AND expected IS NOT NULL GROUP BY 1, 2, 3`,
      [labelRuns],
    ),
    // Unmatched agrees with unmatched (topic NULL on both), as in `mediatag eval`.
    client.query(
      `SELECT b.run_id, count(*)::int AS files, count(*) FILTER (WHERE a.topic IS NOT DISTINCT FROM b.topic)::int AS agree
         FROM eval_runs r0 JOIN eval_answers a ON a.run_id = r0.id
         JOIN eval_runs r1 ON r1.invocation = r0.invocation AND r1.id > r0.id
         JOIN eval_answers b ON b.run_id = r1.id AND b.media_file_id = a.media_file_id
        WHERE r0.id = ANY($1::bigint[]) AND a.status <> 'error' AND b.status <> 'error'
        GROUP BY b.run_id`,
      [agreementFirsts],
    ),
  ]);

  const byInvocation = new Map<string, EvalConfigFigures[]>();
  for (const r of runs) {
    const invocation = String(r.invocation);
    const first = firstOf.get(invocation) as Record<string, unknown>;
    const scored = num(r.scored);
    const per = (v: unknown) => (scored === 0 ? null : num(v) / scored);
    const pair = pairs.rows.find((p) => Number(p.run_id) === Number(r.id));
    const mine = cells.rows.filter((c) => Number(c.run_id) === Number(r.id));
    const figures: EvalConfigFigures = {
      runId: Number(r.id),
      name: String(r.config_name),
      overrides: (r.overrides ?? {}) as Record<string, string>,
      model: r.model == null ? null : String(r.model),
      batchSize: r.batch_size == null ? null : num(r.batch_size),
      files: num(r.files),
      failed: num(r.failed),
      scored,
      correct: num(r.correct),
      accuracy: r.mode === 'labels' ? ratio(num(r.correct), scored) : null,
      unmatched: num(r.unmatched),
      unmatchedRate: ratio(num(r.unmatched), scored),
      tokensPerFile: per(r.tokens),
      costPerFileUsd: per(r.cost),
      requestsPerFile: per(r.requests),
      requestsSent: num(r.requests_sent),
      agreement:
        r.mode === 'agreement' && Number(r.id) !== Number(first.id)
          ? {
              with: String(first.config_name),
              files: num(pair?.files),
              agree: num(pair?.agree),
              rate: ratio(num(pair?.agree), num(pair?.files)),
              kappa: r.kappa == null ? null : Number(r.kappa),
            }
          : null,
      confusion:
        r.mode === 'labels'
          ? confusionOf(
              (r.tags as { name: string }[]).map((t) => t.name),
              mine.map((c) => ({
                expected: String(c.expected),
                answer: c.topic == null ? null : String(c.topic),
                n: num(c.n),
              })),
            )
          : null,
    };
    byInvocation.set(invocation, [...(byInvocation.get(invocation) ?? []), figures]);
  }
  for (const e of eligible) {
    const invocation = String(e.invocation);
    const first = firstOf.get(invocation);
    if (!first) continue;
    out.set(Number(e.batch_id), {
      invocation,
      mode: first.mode === 'agreement' ? 'agreement' : 'labels',
      createdAt: new Date(String(first.created_at)),
      taxonomy: { name: String(first.taxonomy), version: num(first.version) },
      runsInBatch: num(e.runs),
      configs: byInvocation.get(invocation) ?? [],
    });
  }
  return out;
}

/**
 * The confusion matrix of (label, answer, count) cells: rows and columns in tag-list order
 * (anything outside the list appended), only tags used as a label or an answer, so the
 * diagonal stays the diagonal; the UNMATCHED column always.
 */
export function confusionOf(
  listOrder: string[],
  cells: Array<{ expected: string; answer: string | null; n: number }>,
): ConfusionCounts {
  const used = new Set<string>();
  for (const c of cells) {
    used.add(c.expected);
    if (c.answer !== null) used.add(c.answer);
  }
  const tags = [...listOrder.filter((t) => used.has(t)), ...[...used].filter((t) => !listOrder.includes(t))];
  const counts = tags.map(() => new Array<number>(tags.length + 1).fill(0));
  for (const c of cells) {
    const row = counts[tags.indexOf(c.expected)] as number[];
    const col = c.answer === null ? tags.length : tags.indexOf(c.answer);
    row[col] = (row[col] ?? 0) + c.n;
  }
  return { tags, counts };
}
