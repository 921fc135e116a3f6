import { describe, expect, it } from 'vitest';
import { accuracy, agreement, cohensKappa, confusionMatrix, labelMetrics, perTagScores } from './metrics.ts';

const pairs = [
  { expected: 'A', predicted: 'A' },
  { expected: 'A', predicted: 'A' },
  { expected: 'A', predicted: 'B' },
  { expected: 'B', predicted: 'B' },
  { expected: 'B', predicted: null },
  { expected: 'C', predicted: 'A' },
];

/** Expands a contingency table (rows: rater a, columns: rater b) into two answer lists. */
function raters(categories: string[], table: number[][]): [string[], string[]] {
  const a: string[] = [];
  const b: string[] = [];
  for (const [i, row] of table.entries()) {
    for (const [j, n] of row.entries()) {
      for (let k = 0; k < n; k++) {
        a.push(categories[i] as string);
        b.push(categories[j] as string);
      }
    }
  }
  return [a, b];
}

describe('label metrics', () => {
  it('accuracy counts unmatched as wrong', () => {
    expect(accuracy(pairs)).toBe(0.5);
    expect(accuracy([])).toBeNull();
  });

  it('precision, recall and F1 per tag, one against the rest', () => {
    const [a, b, c] = perTagScores(pairs, ['A', 'B', 'C']);
    expect(a).toEqual({
      tag: 'A',
      support: 3,
      predicted: 3,
      truePositives: 2,
      precision: 2 / 3,
      recall: 2 / 3,
      f1: 2 / 3,
    });
    expect(b).toEqual({
      tag: 'B',
      support: 2,
      predicted: 2,
      truePositives: 1,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
    // Never answered: precision undefined, recall and F1 zero.
    expect(c).toEqual({
      tag: 'C',
      support: 1,
      predicted: 0,
      truePositives: 0,
      precision: null,
      recall: 0,
      f1: 0,
    });
    const [d] = perTagScores(pairs, ['D']);
    expect(d).toMatchObject({ precision: null, recall: null, f1: null });
  });

  it('confusion matrix: labels by answers, unmatched last', () => {
    expect(confusionMatrix(pairs, ['A', 'B', 'C'])).toEqual({
      labels: ['A', 'B', 'C'],
      columns: ['A', 'B', 'C', 'unmatched'],
      counts: [
        [2, 1, 0, 0],
        [0, 1, 0, 1],
        [1, 0, 0, 0],
      ],
    });
  });

  it('sums it up, listing each wrong file', () => {
    const m = labelMetrics(pairs, ['A', 'B', 'C']);
    expect(m).toMatchObject({ files: 6, correct: 3, accuracy: 0.5, unmatched: 1, unmatchedRate: 1 / 6 });
    expect(m.errors).toEqual([
      { index: 2, expected: 'A', predicted: 'B' },
      { index: 4, expected: 'B', predicted: 'unmatched' },
      { index: 5, expected: 'C', predicted: 'A' },
    ]);
  });
});

describe("Cohen's kappa", () => {
  it('two categories: the textbook 2x2 table gives 0.4', () => {
    // po = 35/50 = 0.7; pe = 0.5 × 0.6 + 0.5 × 0.4 = 0.5.
    const [a, b] = raters(
      ['yes', 'no'],
      [
        [20, 5],
        [10, 15],
      ],
    );
    expect(cohensKappa(a, b)).toBeCloseTo(0.4, 12);
  });

  it('three categories', () => {
    // po = 23/30; pe = (12·11 + 10·13 + 8·6) / 900 = 310/900; κ = 380/590.
    const [a, b] = raters(
      ['x', 'y', 'z'],
      [
        [10, 2, 0],
        [1, 8, 1],
        [0, 3, 5],
      ],
    );
    expect(cohensKappa(a, b)).toBeCloseTo(380 / 590, 12);
  });

  it('perfect agreement is 1, agreement no better than chance is 0, one shared category is undefined', () => {
    expect(cohensKappa(['a', 'b', 'c'], ['a', 'b', 'c'])).toBe(1);
    const [a, b] = raters(
      ['yes', 'no'],
      [
        [25, 25],
        [25, 25],
      ],
    );
    expect(cohensKappa(a, b)).toBe(0);
    expect(cohensKappa(['a', 'a'], ['a', 'a'])).toBeNull();
  });
});

describe('agreement of two configurations', () => {
  it('overall, per tag and the files they disagree on', () => {
    const a = ['A', 'A', 'B', 'B', 'C', null];
    const b = ['A', 'B', 'B', 'B', 'C', 'C'];
    const r = agreement(a, b, ['A', 'B', 'C']);
    expect(r).toMatchObject({ files: 6, agree: 4, agreement: 4 / 6, disagreements: [1, 5] });
    // Categories A B C unmatched; marginals a: 2 2 1 1, b: 1 3 2 0; pe = (2 + 6 + 2 + 0) / 36.
    expect(r.kappa).toBeCloseTo((4 / 6 - 10 / 36) / (1 - 10 / 36), 12);
    const byTag = new Map(r.perTag.map((t) => [t.tag, t]));
    expect(byTag.get('A')).toMatchObject({ a: 2, b: 1, both: 1, agreement: 0.5 });
    expect(byTag.get('B')).toMatchObject({ a: 2, b: 3, both: 2, agreement: 2 / 3 });
    expect(byTag.get('unmatched')).toMatchObject({ a: 1, b: 0, both: 0, agreement: 0, kappa: 0 });
    // "Is it A": a yes on 0,1; b yes on 0 → po 5/6, pe = (2·1 + 4·5)/36.
    expect(byTag.get('A')?.kappa).toBeCloseTo((5 / 6 - 22 / 36) / (1 - 22 / 36), 12);
  });
});
