import { describe, expect, it } from 'vitest';
import { groupRequests } from './run.ts';
import { drawSample } from './sample.ts';

// 100 files: 90 Sports, 8 Politics, 2 Travel, and 5 with no topic yet.
const files = [
  ...Array.from({ length: 90 }, (_, i) => ({ id: i + 1, stratum: 'Sports' })),
  ...Array.from({ length: 8 }, (_, i) => ({ id: 101 + i, stratum: 'Politics' })),
  ...Array.from({ length: 2 }, (_, i) => ({ id: 201 + i, stratum: 'Travel' })),
  ...Array.from({ length: 5 }, (_, i) => ({ id: 301 + i, stratum: null })),
];
const stratumOf = new Map(files.map((f) => [f.id, f.stratum]));
const count = (ids: number[], s: string | null) => ids.filter((id) => stratumOf.get(id) === s).length;

describe('drawSample', () => {
  it('is deterministic per seed, and another seed draws other files', () => {
    const a = drawSample(files, 20, 7);
    expect(drawSample([...files].reverse(), 20, 7)).toEqual(a);
    expect(drawSample(files, 20, 8)).not.toEqual(a);
    expect(a).toHaveLength(20);
    expect(new Set(a).size).toBe(20);
  });

  it('represents every topic, however rare, and shares the rest by size', () => {
    const ids = drawSample(files, 10, 1);
    expect(count(ids, 'Travel')).toBeGreaterThanOrEqual(1);
    expect(count(ids, 'Politics')).toBeGreaterThanOrEqual(1);
    expect(count(ids, null)).toBeGreaterThanOrEqual(1);
    // 4 taken one each; 6 left shared over 89/7/1/4 spare → Sports gets them all but the remainders.
    expect(count(ids, 'Sports')).toBe(6);
  });

  it('takes everything when asked for more than there is', () => {
    expect(drawSample(files, 500, 1)).toHaveLength(files.length);
  });

  it('with more strata than files wanted, takes one from each of the largest', () => {
    const ids = drawSample(files, 2, 1);
    expect(ids.map((id) => stratumOf.get(id)).sort()).toEqual(['Politics', 'Sports']);
  });
});

describe('groupRequests', () => {
  it('fills requests up to the file count and the token cap; one large file goes alone', () => {
    const sizes = [100, 100, 100, 900, 100, 100, 100, 100];
    const groups = groupRequests(sizes, (n) => n, 3, 1000);
    expect(groups).toEqual([
      [100, 100, 100],
      [900, 100],
      [100, 100, 100],
    ]);
    expect(groupRequests([5000, 10], (n) => n, 10, 1000)).toEqual([[5000], [10]]);
  });
});
