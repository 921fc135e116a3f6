// Writes to cost_ledger: one row per billed event, always inside the statement that saves
// what was bought (markCompleted, saveTagOutcome, saveBatchOutcomes), so the ledger and the
// state it pays for cannot drift apart.
import { type SQL, sql } from 'drizzle-orm';

/**
 * The batch a tagging charge belongs to: the first batch listing the file that uses the
 * taxonomy it was tagged for (a later batch sharing the file reuses that answer), else the
 * first batch listing the file (the batch was retagged meanwhile).
 */
export function taggingBatch(file: SQL, taxonomy: SQL): SQL {
  return sql`coalesce(
    (SELECT bf.batch_id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
      WHERE bf.media_file_id = ${file} AND b.taxonomy_id = ${taxonomy}
      ORDER BY bf.created_at, bf.batch_id LIMIT 1),
    (SELECT bf.batch_id FROM batch_files bf WHERE bf.media_file_id = ${file}
      ORDER BY bf.created_at, bf.batch_id LIMIT 1))`;
}
