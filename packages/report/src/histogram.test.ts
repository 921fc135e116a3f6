import { describe, expect, it } from 'vitest';
import { binLabel, chooseBinning, duration, niceWidth } from './histogram.ts';

describe('processing-time bins', () => {
  it('picks 1-2-5 widths that cover the range in at most the bins allowed', () => {
    expect(niceWidth(0.6, 20)).toBe(0.1);
    expect(niceWidth(45, 20)).toBe(5);
    expect(niceWidth(3600, 20)).toBe(200);
    expect(chooseBinning(45, 44)).toEqual({ widthS: 5, bins: 10, openEnded: false });
  });

  it('stops the range at the 99th percentile when outliers are far beyond it, last bin open-ended', () => {
    const b = chooseBinning(36_000, 60);
    expect(b).toEqual({ widthS: 5, bins: 13, openEnded: true });
    expect(binLabel(0, b)).toBe('0–5 s');
    expect(binLabel(12, b)).toBe('≥ 60 s');
  });

  it('labels bins without floating-point noise, in minutes when whole', () => {
    const tenths = chooseBinning(0.6, 0.6);
    expect([0, 1, 2].map((i) => binLabel(i, tenths))).toEqual(['0–0.1 s', '0.1–0.2 s', '0.2–0.3 s']);
    expect(binLabel(1, { widthS: 120, bins: 5, openEnded: false })).toBe('2–4 min');
    expect(duration(5400)).toBe('90 min');
    expect(duration(9000)).toBe('2.5 h');
  });
});
