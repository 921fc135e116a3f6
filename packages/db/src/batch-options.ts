import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/** A batch's transcription options, and how many of its files take another batch's. */
export interface BatchOptions {
  batch: string;
  /** Null when the batch has none (AssemblyAI's defaults). */
  transcriptionOptions: Record<string, unknown> | null;
  /**
   * Files of this batch that an earlier batch listed first with other options: a file is
   * transcribed once, under the options of the batch that listed it first, so these keep (or
   * will get) that batch's transcript.
   */
  filesUnderOtherOptions: number;
}

/** Options per batch, for one batch or every batch. */
export async function batchOptions(db: Db, batch?: string): Promise<BatchOptions[]> {
  const filter = batch === undefined ? sql`` : sql`WHERE b.name = ${batch}`;
  const result = await db.execute(sql`
    SELECT b.name AS batch, b.transcription_options,
      (SELECT count(*) FROM batch_files bf
         CROSS JOIN LATERAL (
           SELECT f.batch_id FROM batch_files f WHERE f.media_file_id = bf.media_file_id
            ORDER BY f.created_at, f.batch_id LIMIT 1) AS first
         JOIN batches fb ON fb.id = first.batch_id
        WHERE bf.batch_id = b.id AND fb.id <> b.id
          AND fb.transcription_options IS DISTINCT FROM b.transcription_options)::int AS other
    FROM batches b ${filter}
    ORDER BY b.name`);
  return result.rows.map((r) => ({
    batch: String(r.batch),
    transcriptionOptions: (r.transcription_options as Record<string, unknown> | null) ?? null,
    filesUnderOtherOptions: Number(r.other ?? 0),
  }));
}
