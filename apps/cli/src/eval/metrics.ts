// Scores of one configuration's answers, as pure functions over (label, answer) pairs. An answer
// that names no tag is the category UNMATCHED: it is wrong against any label, and it is a
// category of its own when two configurations are compared.

/** The answer category of a file whose answer named no single tag. */
export const UNMATCHED = 'unmatched';

/** One labelled file: the hand label and what a configuration answered (null: unmatched). */
export interface Labelled {
  expected: string;
  predicted: string | null;
}

/** Precision, recall and F1 of one tag; null where the ratio has no denominator (no such answers, or no such labels). */
export interface TagScore {
  tag: string;
  /** Files labelled with this tag. */
  support: number;
  /** Files the configuration put under this tag. */
  predicted: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** Rows: hand labels (in `labels` order); columns: answers (`labels` order, then UNMATCHED). */
export interface Confusion {
  labels: string[];
  columns: string[];
  counts: number[][];
}

/** Everything reported for one configuration against hand labels. */
export interface LabelMetrics {
  files: number;
  correct: number;
  accuracy: number | null;
  unmatched: number;
  unmatchedRate: number | null;
  perTag: TagScore[];
  confusion: Confusion;
  /** Files answered wrongly, with label and answer. */
  errors: Array<{ index: number; expected: string; predicted: string }>;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** Fraction of files whose answer equals the label (unmatched counts as wrong). */
export function accuracy(pairs: Labelled[]): number | null {
  return ratio(pairs.filter((p) => p.predicted === p.expected).length, pairs.length);
}

/** Precision, recall and F1 for each of `tags` (one-vs-rest). */
export function perTagScores(pairs: Labelled[], tags: string[]): TagScore[] {
  return tags.map((tag) => {
    const support = pairs.filter((p) => p.expected === tag).length;
    const predicted = pairs.filter((p) => p.predicted === tag).length;
    const truePositives = pairs.filter((p) => p.expected === tag && p.predicted === tag).length;
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    // 2TP / (2TP + FP + FN): the harmonic mean of precision and recall, and 0 (not undefined)
    // for a labelled tag the configuration never answered.
    const f1 = ratio(2 * truePositives, support + predicted);
    return { tag, support, predicted, truePositives, precision, recall, f1 };
  });
}

/** Counts of (label, answer); `tags` fixes the order, labels or answers outside it are appended. */
export function confusionMatrix(pairs: Labelled[], tags: string[]): Confusion {
  const labels = [...tags];
  for (const p of pairs) {
    if (!labels.includes(p.expected)) labels.push(p.expected);
    if (p.predicted !== null && !labels.includes(p.predicted)) labels.push(p.predicted);
  }
  const columns = [...labels, UNMATCHED];
  const counts = labels.map(() => columns.map(() => 0));
  for (const p of pairs) {
    const row = counts[labels.indexOf(p.expected)] as number[];
    const col = p.predicted === null ? columns.length - 1 : columns.indexOf(p.predicted);
    row[col] = (row[col] ?? 0) + 1;
  }
  return { labels, columns, counts };
}

/** Accuracy, per-tag scores, confusion matrix and unmatched rate of one configuration. */
export function labelMetrics(pairs: Labelled[], tags: string[]): LabelMetrics {
  const correct = pairs.filter((p) => p.predicted === p.expected).length;
  const unmatched = pairs.filter((p) => p.predicted === null).length;
  return {
    files: pairs.length,
    correct,
    accuracy: accuracy(pairs),
    unmatched,
    unmatchedRate: ratio(unmatched, pairs.length),
    perTag: perTagScores(pairs, tags),
    confusion: confusionMatrix(pairs, tags),
    errors: pairs.flatMap((p, index) =>
      p.predicted === p.expected
        ? []
        : [{ index, expected: p.expected, predicted: p.predicted ?? UNMATCHED }],
    ),
  };
}

/**
 * Cohen's kappa of two raters over the same items: (observed − chance agreement) / (1 − chance),
 * chance from each rater's own category frequencies. Null when chance agreement is 1 (both
 * raters used one and the same category throughout), where kappa is undefined.
 */
export function cohensKappa(a: readonly string[], b: readonly string[]): number | null {
  if (a.length !== b.length) throw new RangeError('kappa needs two answers per item');
  const n = a.length;
  if (n === 0) return null;
  const observed = a.filter((x, i) => x === b[i]).length / n;
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  for (const x of a) countA.set(x, (countA.get(x) ?? 0) + 1);
  for (const x of b) countB.set(x, (countB.get(x) ?? 0) + 1);
  let chance = 0;
  for (const [k, na] of countA) chance += (na / n) * ((countB.get(k) ?? 0) / n);
  if (Math.abs(1 - chance) < 1e-12) return null;
  return (observed - chance) / (1 - chance);
}

/** Agreement of two configurations on one tag: files either put there, both did, and kappa of "is it this tag". */
export interface TagAgreement {
  tag: string;
  a: number;
  b: number;
  both: number;
  /** both / files either put under the tag; null when neither did. */
  agreement: number | null;
  kappa: number | null;
}

/** How two configurations' answers over the same files agree. */
export interface Agreement {
  files: number;
  agree: number;
  agreement: number | null;
  kappa: number | null;
  perTag: TagAgreement[];
  /** Indexes of the files they disagree on. */
  disagreements: number[];
}

/** Overall and per-tag agreement (with Cohen's kappa) of answers `a` and `b` (null = unmatched). */
export function agreement(a: Array<string | null>, b: Array<string | null>, tags: string[]): Agreement {
  const ca = a.map((x) => x ?? UNMATCHED);
  const cb = b.map((x) => x ?? UNMATCHED);
  const disagreements = ca.flatMap((x, i) => (x === cb[i] ? [] : [i]));
  const all = [...tags, ...(ca.includes(UNMATCHED) || cb.includes(UNMATCHED) ? [UNMATCHED] : [])];
  const perTag = all.map((tag): TagAgreement => {
    const isA = ca.map((x) => (x === tag ? 'y' : 'n'));
    const isB = cb.map((x) => (x === tag ? 'y' : 'n'));
    const na = isA.filter((x) => x === 'y').length;
    const nb = isB.filter((x) => x === 'y').length;
    const both = isA.filter((x, i) => x === 'y' && isB[i] === 'y').length;
    return {
      tag,
      a: na,
      b: nb,
      both,
      agreement: ratio(both, na + nb - both),
      kappa: na + nb === 0 ? null : cohensKappa(isA, isB),
    };
  });
  return {
    files: ca.length,
    agree: ca.length - disagreements.length,
    agreement: ratio(ca.length - disagreements.length, ca.length),
    kappa: cohensKappa(ca, cb),
    perTag,
    disagreements,
  };
}
