import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyedFixedWindowLimiter, SlidingWindowLimiter } from './rate-limit.ts';
import { Timeline } from './timeline.ts';

describe('Timeline', () => {
  // The timeline's clock and its one timer are the global ones, so fake timers drive both.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs entries in due order, ties in scheduling order, never synchronously', () => {
    const timeline = new Timeline();
    const order: string[] = [];
    timeline.after(30, () => order.push('c'));
    timeline.after(0, () => order.push('a1'));
    timeline.after(0, () => order.push('a2'));
    timeline.after(10, () => order.push('b'));
    expect(order).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(order).toEqual(['a1', 'a2']);
    vi.advanceTimersByTime(9);
    expect(order).toEqual(['a1', 'a2']);
    vi.advanceTimersByTime(1);
    expect(order).toEqual(['a1', 'a2', 'b']);
    vi.advanceTimersByTime(20);
    expect(order).toEqual(['a1', 'a2', 'b', 'c']);
    expect(timeline.size).toBe(0);
    timeline.close();
  });

  it('defers zero-delay entries scheduled while a batch runs to the next tick', () => {
    const timeline = new Timeline();
    const seen: string[] = [];
    timeline.after(0, () => {
      seen.push('first');
      timeline.after(0, () => seen.push('second'));
    });
    vi.advanceTimersToNextTimer();
    expect(seen).toEqual(['first']);
    vi.advanceTimersToNextTimer();
    expect(seen).toEqual(['first', 'second']);
    timeline.close();
  });

  it('handles thousands of entries with one timer and drops them on close', () => {
    const timeline = new Timeline();
    let ran = 0;
    for (let i = 0; i < 5_000; i++) timeline.after((i * 7) % 20, () => ran++);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(19);
    expect(ran).toBe(5_000);
    expect(vi.getTimerCount()).toBe(0);
    timeline.after(10, () => ran++);
    timeline.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(20);
    expect(ran).toBe(5_000);
  });
});

describe('limiters', () => {
  it('sliding window allows `limit` per window and reports Retry-After in whole seconds', () => {
    const limiter = new SlidingWindowLimiter(3, 10_000);
    expect([0, 100, 200].map((t) => limiter.take(t).allowed)).toEqual([true, true, true]);
    expect(limiter.take(5_000)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    expect(limiter.take(10_000).allowed).toBe(true);
    expect(limiter.take(10_050).allowed).toBe(false);
  });

  it('fixed windows are per key', () => {
    const limiter = new KeyedFixedWindowLimiter(1, 60_000);
    expect(limiter.take('a', 0)).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 60 });
    expect(limiter.take('a', 30_000)).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.take('b', 30_000).allowed).toBe(true);
    expect(limiter.take('a', 60_000).allowed).toBe(true);
  });
});
