import { describe, expect, it } from 'vitest';
import { PollSchedule, SlotReserve } from './schedule.ts';

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

describe('SlotReserve', () => {
  it('is the configured number when set, and a quarter of the slots before anything is learnt', () => {
    const schedule = new PollSchedule({ minMs: 500, maxMs: 60_000 });
    expect(new SlotReserve(200, 7, schedule).limit()).toBe(207);
    expect(new SlotReserve(200, 0, schedule).limit()).toBe(200);
    expect(new SlotReserve(200, 'auto', schedule).size()).toBe(50);
  });

  it('covers the slots freed during one detection delay, at most half of them', () => {
    const schedule = new PollSchedule({ minMs: 500, maxMs: 60_000 });
    // Transcripts of ~40 s found ~2 s after finishing (checked at 38 s and 42 s).
    for (let i = 0; i < 100; i++) schedule.observe(42_000, 38_000);
    const learnt = schedule.learnt();
    expect(learnt.meanCompletionMs).toBe(40_000);
    expect(learnt.meanDelayMs).toBe(2000);
    // 2.5 × 200 slots × 2 s / 40 s = 25.
    expect(new SlotReserve(200, 'auto', schedule).size()).toBe(25);
    // Found 20 s late: 2.5 × 200 × 20 / 50 = 200, bounded by half the slots.
    const slow = new PollSchedule({ minMs: 500, maxMs: 60_000 });
    for (let i = 0; i < 100; i++) slow.observe(60_000, 20_000);
    expect(new SlotReserve(200, 'auto', slow).size()).toBe(100);
  });

  it('shrinks when more transcripts wait throttled at AssemblyAI than the reserve explains', () => {
    const schedule = new PollSchedule({ minMs: 500, maxMs: 60_000 });
    for (let i = 0; i < 100; i++) schedule.observe(42_000, 38_000);
    const reserve = new SlotReserve(200, 'auto', schedule, 30_000);
    const t0 = 1_000_000;
    for (let id = 1; id <= 25; id++) reserve.saw(id, true, t0);
    expect(reserve.size(t0)).toBe(25); // as many throttled as reserved: as designed
    for (let id = 26; id <= 35; id++) reserve.saw(id, true, t0);
    expect(reserve.size(t0)).toBe(15); // 10 more waiting than reserved: the account has fewer slots
    for (let id = 26; id <= 35; id++) reserve.saw(id, false, t0); // those started
    expect(reserve.size(t0)).toBe(25);
    expect(reserve.size(t0 + 31_000)).toBe(25); // old sightings expire
    expect(reserve.throttledNow(t0 + 31_000)).toBe(0);
  });
});
