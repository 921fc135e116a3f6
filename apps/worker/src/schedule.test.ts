import { describe, expect, it } from 'vitest';
import { PollSchedule } from './schedule.ts';

/** Simulates the checks of a transcript that takes `doneMs`; returns GETs needed and detection delay. */
function run(schedule: PollSchedule, doneMs: number) {
  let previous = 0;
  let elapsed = schedule.first();
  let checks = 1;
  while (elapsed < doneMs) {
    previous = elapsed;
    elapsed += schedule.next(elapsed);
    checks += 1;
  }
  schedule.observe(elapsed, previous);
  return { checks, lateMs: elapsed - doneMs };
}

/** A deterministic spread of processing times like real files: 3 s to 40 s, skewed short. */
function processingMs(i: number) {
  const u = ((i * 7919) % 1000) / 1000;
  return 3000 + 37_000 * u * u;
}

describe('PollSchedule', () => {
  it('stays within its bounds', () => {
    const s = new PollSchedule({ minMs: 1000, maxMs: 60_000 });
    expect(s.first()).toBe(1000);
    expect(s.next(10)).toBe(1000);
    expect(s.next(10_000_000)).toBe(60_000);
  });

  it('learns the spread of completion times and needs at most 3 GETs on average', () => {
    const s = new PollSchedule({ minMs: 500, maxMs: 60_000 });
    for (let i = 0; i < 200; i++) run(s, processingMs(i)); // learning
    let gets = 0;
    let late = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const r = run(s, processingMs(i + 200));
      gets += r.checks;
      late += r.lateMs;
    }
    expect(gets / n).toBeLessThanOrEqual(3);
    // Found finished on average within a few seconds of finishing (processing 3-40 s).
    expect(late / n).toBeLessThan(5000);
  });

  it('backs off geometrically past what it has seen, up to the maximum interval', () => {
    const s = new PollSchedule({ minMs: 3000, maxMs: 60_000 });
    expect(run(s, 6 * 60_000).checks).toBeLessThan(15);
    expect(s.next(30 * 60_000)).toBe(60_000);
  });
});
