// `mediatag retag`: which of a batch's files a taxonomy has not answered yet, and why.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { TranscriptStatus } from './schema.ts';

/** A file of the batch with no topic (nor `unmatched`) from the taxonomy, whose transcript has not failed. */
export interface Unanswered {
  fileId: number;
  transcriptStatus: Exclude<TranscriptStatus, 'error'>;
  /** `needs_tagging` (migrations/0011_needs_tagging.sql): transcribed, and no result or a pending one. */
  needsTagging: boolean;
  /** Its tag result under the taxonomy failed: final until `mediatag retry`. */
  tagFailed: boolean;
  /** AssemblyAI no longer has the transcript. */
  gone: boolean;
  /** The tagging excerpt was stored when it completed. */
  hasExcerpt: boolean;
}

/**
 * The batch's files the taxonomy has not answered: those that need tagging now, those still
 * being transcribed (tagged when they finish), and those whose tagging with it failed.
 */
export async function unansweredFiles(db: Db, batchId: number, taxonomyId: number): Promise<Unanswered[]> {
  const { rows } = await db.execute<{
    id: string;
    transcript_status: Unanswered['transcriptStatus'];
    needs_tagging: boolean;
    tag_failed: boolean;
    gone: boolean;
    has_excerpt: boolean;
  }>(sql`
    SELECT m.id, m.transcript_status, needs_tagging(m.transcript_status, r.status) AS needs_tagging,
           r.status IS NOT DISTINCT FROM 'error' AS tag_failed,
           m.error_kind IS NOT DISTINCT FROM 'gone' AS gone,
           EXISTS (SELECT 1 FROM transcript_texts x WHERE x.media_file_id = m.id) AS has_excerpt
      FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id
      LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = ${taxonomyId}
     WHERE bf.batch_id = ${batchId} AND m.transcript_status <> 'error'
       AND r.status IS DISTINCT FROM 'tagged' AND r.status IS DISTINCT FROM 'unmatched'
     ORDER BY m.id`);
  return rows.map((r) => ({
    fileId: Number(r.id),
    transcriptStatus: r.transcript_status,
    needsTagging: r.needs_tagging,
    tagFailed: r.tag_failed,
    gone: r.gone,
    hasExcerpt: r.has_excerpt,
  }));
}
