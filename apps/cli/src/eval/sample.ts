import { createHash } from 'node:crypto';

/** A file that may be drawn, with the stratum it belongs to (its current topic, or none). */
export interface Candidate {
  id: number;
  stratum: string | null;
}

/** Deterministic rank of a file under a seed: sha256, so adding files never reorders the others. */
function rank(seed: number, id: number): string {
  return createHash('sha256').update(`${seed}:${id}`).digest('hex');
}

/**
 * Draws `n` files, stratified by current topic: every stratum first gets one file (so a rare
 * topic is in the sample), the rest is shared in proportion to stratum sizes (largest
 * remainders first), and within a stratum files are taken in seeded hash order. The same seed
 * and files always give the same sample; the result is in id order.
 */
export function drawSample(candidates: Candidate[], n: number, seed: number): number[] {
  if (n >= candidates.length) return candidates.map((c) => c.id).sort((a, b) => a - b);
  const strata = new Map<string, number[]>();
  for (const c of candidates) {
    const key = c.stratum ?? '\u0000none';
    strata.set(key, [...(strata.get(key) ?? []), c.id]);
  }
  const groups = [...strata.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, ids]) => ({
      key,
      ids: ids.sort((a, b) => (rank(seed, a) < rank(seed, b) ? -1 : 1)),
      take: 0,
    }));
  // More strata than files wanted: one file from each of the largest strata.
  const order = [...groups].sort((a, b) => b.ids.length - a.ids.length || (a.key < b.key ? -1 : 1));
  let left = n;
  for (const g of order) {
    if (left === 0) break;
    g.take = 1;
    left -= 1;
  }
  if (left > 0) {
    const room = groups.reduce((s, g) => s + g.ids.length - g.take, 0);
    const shares = groups.map((g) => ((g.ids.length - g.take) * left) / room);
    groups.forEach((g, i) => {
      g.take += Math.floor(shares[i] as number);
    });
    left = n - groups.reduce((s, g) => s + g.take, 0);
    const byRemainder = groups
      .map((g, i) => ({ g, r: (shares[i] as number) - Math.floor(shares[i] as number) }))
      .sort((a, b) => b.r - a.r || (a.g.key < b.g.key ? -1 : 1));
    for (const { g } of byRemainder) {
      if (left === 0) break;
      if (g.take < g.ids.length) {
        g.take += 1;
        left -= 1;
      }
    }
  }
  return groups.flatMap((g) => g.ids.slice(0, g.take)).sort((a, b) => a - b);
}
