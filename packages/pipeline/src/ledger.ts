// Money arithmetic of the cost ledger. The rows themselves are written by @mediatag/db, always
// inside the statement that saves what was bought.

/** Estimated USD of a request's tokens at the configured prices. */
export function costOf(
  prices: { inputPerMTok: number; outputPerMTok: number },
  inputTokens: number,
  outputTokens: number,
): number {
  return (inputTokens * prices.inputPerMTok + outputTokens * prices.outputPerMTok) / 1e6;
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
