import { describe, expect, it } from 'vitest';
import { AnsweredHere } from './answered.ts';

describe('AnsweredHere', () => {
  it('knows a result by file and taxonomy', () => {
    const answered = new AnsweredHere();
    answered.add(7, [1, 2]);
    expect(answered.has(1, 7)).toBe(true);
    expect(answered.has(2, 7)).toBe(true);
    expect(answered.has(1, 8)).toBe(false);
    expect(answered.has(3, 7)).toBe(false);
  });

  it('forgets the oldest beyond its capacity, so memory stays bounded', () => {
    const answered = new AnsweredHere(3);
    answered.add(1, [1, 2, 3]);
    answered.add(1, [1]); // seen again: now the newest
    answered.add(1, [4]);
    expect([1, 2, 3, 4].map((f) => answered.has(f, 1))).toEqual([true, false, true, true]);
  });
});
