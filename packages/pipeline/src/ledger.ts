// Writes to cost_ledger: one row per billed event, always inside the statement that saves
// what was bought, so the ledger and the state it pays for cannot drift apart.

/**
 * SQL for the batch a tagging charge belongs to: the first batch listing the file that uses
 * the taxonomy it was tagged for (a later batch sharing the file reuses that answer), else the
 * first batch listing the file (the batch was retagged meanwhile). `file` and `taxonomy` are
 * SQL expressions.
 */
export function taggingBatchSql(file: string, taxonomy: string): string {
  return `coalesce(
    (SELECT bf.batch_id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
      WHERE bf.media_file_id = ${file} AND b.taxonomy_id = ${taxonomy}
      ORDER BY bf.created_at, bf.batch_id LIMIT 1),
    (SELECT bf.batch_id FROM batch_files bf WHERE bf.media_file_id = ${file}
      ORDER BY bf.created_at, bf.batch_id LIMIT 1))`;
}

/**
 * Splits `total` into integers proportional to `weights` that add up to exactly `total`
 * (largest remainder), so a batched request's per-file shares sum to what the gateway billed.
 */
export function splitExactly(total: number, weights: number[]): number[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : total / weights.length));
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] as number) + 1;
    left -= 1;
  }
  return parts;
}
