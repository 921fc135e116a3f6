import { describe, expect, it } from 'vitest';
import { PollSchedule } from './schedule.ts';

/** Simulates checks of a transcript that takes `doneMs`; returns the GETs it needed and the detection delay. */
function run(schedule: PollSchedule, doneMs: number) {
  let elapsed = schedule.first();
  let checks = 1;
  while (elapsed < doneMs) {
    elapsed += schedule.next(elapsed);
    checks += 1;
  }
  schedule.observe(elapsed, checks);
  return { checks, lateMs: elapsed - doneMs };
}

describe('PollSchedule', () => {
  it('stays within its bounds', () => {
    const s = new PollSchedule({ minMs: 1000, maxMs: 60_000 });
    expect(s.first()).toBe(1000);
    expect(s.next(10)).toBe(1000);
    expect(s.next(10_000_000)).toBe(60_000);
  });

  it('learns the typical duration without drifting later, and needs few GETs', () => {
    const s = new PollSchedule({ minMs: 100, maxMs: 60_000 });
    let gets = 0;
    let late = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      // 20-40 s, like most files (NOTES.md: most finish in under 45 s).
      const r = run(s, 20_000 + ((i * 7919) % 20_000));
      gets += r.checks;
      late += r.lateMs;
    }
    expect(gets / n).toBeLessThanOrEqual(3);
    expect(late / n).toBeLessThan(6000);
    expect(s.first()).toBeGreaterThan(15_000);
    expect(s.first()).toBeLessThan(30_000);
  });

  it('spaces checks of a long transcript out to the maximum interval', () => {
    const s = new PollSchedule({ minMs: 3000, maxMs: 60_000 });
    // Geometric up to a check a minute: 6 minutes take 20 checks, an hour one a minute more.
    expect(run(s, 6 * 60_000).checks).toBe(20);
    expect(run(new PollSchedule({ minMs: 3000, maxMs: 60_000 }), 60 * 60_000).checks).toBe(74);
  });
});
