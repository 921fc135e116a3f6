/** The shared bins of the processing-time histogram: `bins` bins of `widthS` seconds from 0. */
export interface Binning {
  widthS: number;
  bins: number;
  /** The last bin also holds everything beyond it (outliers past the range shown). */
  openEnded: boolean;
}

const STEPS = [1, 2, 5];

/** The smallest 1-2-5 × 10^k width (≥ 0.1 s) that covers `rangeS` in at most `maxBins` bins. */
export function niceWidth(rangeS: number, maxBins: number): number {
  const raw = Math.max(0.1, rangeS / maxBins);
  // Whole decades counted as integers, so 0.1 × 2 is 0.2 and not 0.20000000000000004.
  for (let decade = -1; ; decade++) {
    for (const step of STEPS) {
      const width = decade < 0 ? step / 10 ** -decade : step * 10 ** decade;
      if (width >= raw) return width;
    }
  }
}

/**
 * Bins for durations whose largest is `maxS` and 99th percentile `p99S`. A few outliers (a
 * transcript that waited hours) would squash everything into the first bin, so past twice
 * the 99th percentile the range stops there and the last bin is open-ended.
 */
export function chooseBinning(maxS: number, p99S: number, maxBins = 20): Binning {
  const clipped = maxS > 2 * p99S && p99S > 0;
  const top = clipped ? p99S : maxS;
  const widthS = niceWidth(top, maxBins);
  const bins = Math.max(1, Math.min(maxBins, Math.floor(top / widthS) + 1));
  return { widthS, bins, openEnded: clipped };
}

/** A bin's label: `40–50 s`, `2–4 min`, `≥ 5 min` for an open-ended last bin. */
export function binLabel(index: number, binning: Binning): string {
  const decimals = binning.widthS < 1 ? 1 : 0;
  const at = (i: number) => Number((i * binning.widthS).toFixed(decimals));
  const from = at(index);
  const to = at(index + 1);
  if (binning.openEnded && index === binning.bins - 1) return `≥ ${duration(from)}`;
  if (binning.widthS >= 60 && from % 60 === 0 && to % 60 === 0) return `${from / 60}–${to / 60} min`;
  return `${from}–${to} s`;
}

/** Seconds as `45 s`, `3.5 min`, `2.1 h`. */
export function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 7200) return `${Math.round(seconds / 6) / 10} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}
