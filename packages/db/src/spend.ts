import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { param, prepared } from './statement.ts';

/** Where a batch stands against its spending cap (USD). */
export interface BatchSpend {
  batchId: number;
  /** NULL = no cap. */
  capUsd: number | null;
  /** Transcription of its completed files + the LLM cost of its tag results. */
  spentUsd: number;
  /** Files charged to it and not finished (submitted, or claimed for submission). */
  inFlightFiles: number;
  /** What those files are expected to cost. */
  inFlightUsd: number;
  /** Expected cost of one more file (of `fileId` when given). */
  nextFileUsd: number;
}

/** How a file's cost is estimated before AssemblyAI has told us its duration. */
export interface CostEstimate {
  pricePerAudioHour: number;
  /** Audio seconds assumed for a file when the batch has no completed file and no feed duration. */
  defaultAudioS: number;
}

const batch = sql`${param('batchId')}::int`;
const file = sql`${param('fileId')}::bigint`;
const price = sql`${param('price')}::float8`;
// The estimate of a file with no duration of its own while the batch has no completed file.
const fallbackUsd = sql`${param('defaultS')}::float8 * ${price} / 3600`;

const BATCH_SPEND = prepared(
  'spend/batch_spend',
  sql`WITH f AS (
       SELECT m.id, m.transcript_status AS st, m.cost_usd, m.charged_batch_id AS cb,
              bf.episode_duration_s * ${price} / 3600 AS ep_usd
         FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id WHERE bf.batch_id = ${batch}
     ), tx AS (
       SELECT avg(cost_usd)::float8 AS mean FROM f WHERE st = 'completed' AND cost_usd IS NOT NULL
     ), llm AS (
       SELECT coalesce(sum(r.cost_usd), 0)::float8 AS spent, coalesce(avg(r.cost_usd), 0)::float8 AS mean
         FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
         JOIN tag_results r ON r.media_file_id = bf.media_file_id AND r.taxonomy_id = b.taxonomy_id
        WHERE bf.batch_id = ${batch}
     ), open AS (
       SELECT count(*)::int AS n,
              coalesce(sum(coalesce(f.ep_usd, tx.mean, ${fallbackUsd})), 0)::float8 AS usd
         FROM f, tx WHERE f.cb = ${batch} AND f.st IN ('pending', 'queued', 'processing') AND f.id <> ${file}
     )
     SELECT (SELECT max_cost_usd::float8 FROM batches WHERE id = ${batch}) AS cap,
            (SELECT coalesce(sum(cost_usd), 0)::float8 FROM f
              WHERE st = 'completed' AND (cb = ${batch} OR cb IS NULL)) + llm.spent AS spent,
            open.n AS open_files, open.usd + open.n * llm.mean AS open_usd,
            coalesce((SELECT ep_usd FROM f WHERE id = ${file}), tx.mean, ${fallbackUsd}) + llm.mean AS next_usd
       FROM tx, llm, open`,
);

/**
 * A batch's spend and in-flight estimate. A file's estimate is its feed's episode duration at
 * the audio price, else the batch's mean transcription cost so far, else `defaultAudioS` of
 * audio; plus the batch's mean LLM cost per tag result. `fileId` is left out of the in-flight
 * files and is the file `nextFileUsd` estimates. Reads every file of the batch: called only
 * for batches that have a cap.
 */
export async function batchSpend(
  db: pg.Pool | pg.PoolClient,
  batchId: number,
  estimate: CostEstimate,
  fileId = 0,
): Promise<BatchSpend> {
  const { rows } = await BATCH_SPEND.run(db, {
    batchId,
    fileId,
    price: estimate.pricePerAudioHour,
    defaultS: estimate.defaultAudioS,
  });
  const r = rows[0] ?? {};
  return {
    batchId,
    capUsd: r.cap == null ? null : Number(r.cap),
    spentUsd: Number(r.spent ?? 0),
    inFlightFiles: Number(r.open_files ?? 0),
    inFlightUsd: Number(r.open_usd ?? 0),
    nextFileUsd: Number(r.next_usd ?? 0),
  };
}

/** True when one more file would take the batch past its cap. Rounded to a micro-dollar, as stored. */
export function capReached(s: BatchSpend): boolean {
  if (s.capUsd === null) return false;
  const micro = (usd: number) => Math.round(usd * 1e6);
  return micro(s.spentUsd) + micro(s.inFlightUsd) + micro(s.nextFileUsd) > micro(s.capUsd);
}
