import { describe, expect, it } from 'vitest';
import { transcribeOptions, transcribePriority } from './priority.ts';

describe('transcribePriority', () => {
  it('puts longer files first (a lower BullMQ priority number) within BullMQ’s range', () => {
    const hour = transcribePriority(3600) as number;
    const minute = transcribePriority(60) as number;
    expect(hour).toBeLessThan(minute);
    expect(transcribePriority(3600.4)).toBe(hour);
    expect(minute).toBeLessThanOrEqual(2 ** 21 - 1);
    // A year of audio still gets a valid priority (1 is BullMQ's first).
    expect(transcribePriority(365 * 86_400)).toBe(1);
  });

  it('gives none to a file of unknown length, so it keeps its place in line', () => {
    for (const unknown of [null, undefined, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(transcribePriority(unknown)).toBeUndefined();
      expect(transcribeOptions(unknown)).toEqual({});
    }
    expect(transcribeOptions(60)).toEqual({ priority: transcribePriority(60) });
  });
});
