import type { Db, Tag } from '@mediatag/db';

/** What the tagger needs about one (file, taxonomy) pair. */
export interface TagTarget {
  transcriptId: string | null;
  transcriptStatus: string;
  tags: Tag[];
  taxonomy: string;
  resultStatus: string | null;
}

/** Loads the file's transcript, the taxonomy's tags and any result so far, in one query. */
export async function loadTagTarget(
  db: Db,
  fileId: number,
  taxonomyId: number,
): Promise<TagTarget | undefined> {
  const { rows } = await db.$client.query(
    `SELECT m.transcript_id, m.transcript_status, t.tags, t.name, r.status AS result_status
       FROM media_files m CROSS JOIN taxonomies t
       LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = t.id
      WHERE m.id = $1 AND t.id = $2`,
    [fileId, taxonomyId],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    transcriptId: r.transcript_id,
    transcriptStatus: r.transcript_status,
    tags: r.tags,
    taxonomy: r.name,
    resultStatus: r.result_status,
  };
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
}

/** Upserts the result; one row per (file, taxonomy) whatever the number of attempts. */
export async function saveTagOutcome(
  db: Db,
  fileId: number,
  taxonomyId: number,
  o: TagOutcome,
): Promise<void> {
  await db.$client.query(
    `INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, raw_answer, model, input_tokens,
                              output_tokens, error, cost_usd, attempts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)
     ON CONFLICT (media_file_id, taxonomy_id) DO UPDATE SET
       status = EXCLUDED.status, topic = EXCLUDED.topic, raw_answer = EXCLUDED.raw_answer,
       model = EXCLUDED.model,
       input_tokens = coalesce(tag_results.input_tokens, 0) + coalesce(EXCLUDED.input_tokens, 0),
       output_tokens = coalesce(tag_results.output_tokens, 0) + coalesce(EXCLUDED.output_tokens, 0),
       cost_usd = coalesce(tag_results.cost_usd, 0) + coalesce(EXCLUDED.cost_usd, 0),
       error = EXCLUDED.error, attempts = tag_results.attempts + 1, updated_at = now()`,
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
    ],
  );
}
