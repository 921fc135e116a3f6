import { randomBytes } from 'node:crypto';
import { createRedis, redisKeys } from '@mediatag/queue';
import { afterAll, describe, expect, it } from 'vitest';
import { InFlightBudget, RateBudget } from './budget.ts';

const redis = createRedis('redis://127.0.0.1:6379', 'worker');
const prefix = `mt-test-budget-${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('InFlightBudget', () => {
  it('holds at most max files, idempotently per file', async () => {
    const b = new InFlightBudget(redis, `${prefix}:a`, 2);
    expect(await b.acquire(1)).toBe(true);
    expect(await b.acquire(1)).toBe(true);
    expect(await b.acquire(2)).toBe(true);
    expect(await b.acquire(3)).toBe(false);
    expect(await b.count()).toBe(2);
    await b.release(1);
    await b.release(1);
    expect(await b.acquire(3)).toBe(true);
  });

  it('takes a slot and a request token together, or neither', async () => {
    const b = new InFlightBudget(redis, `${prefix}:b`, 1);
    // 20 requests a minute: a burst of 1, then one every 3 s.
    const rate = new RateBudget(redis, `${prefix}:rate-b`, { requests: 20, windowMs: 60_000 });
    expect(await b.acquireWithRate(1, rate)).toBe('ok');
    expect(await b.acquireWithRate(2, rate)).toBe('full');
    await b.release(1);
    const wait = await b.acquireWithRate(2, rate);
    expect(typeof wait === 'number' && wait > 0 && wait <= 3000).toBe(true);
    expect(await b.count()).toBe(0);
  });

  it('frees the slot and the wake key in one call', async () => {
    const b = new InFlightBudget(redis, `${prefix}:c`, 1);
    await b.acquire(7);
    const limiter = redisKeys(prefix).limiter('transcribe');
    await redis.set(limiter, '1');
    await b.release(7, limiter);
    expect(await b.count()).toBe(0);
    expect(await redis.exists(limiter)).toBe(0);
  });
});

describe('RateBudget', () => {
  it('allows the burst at once, then asks to wait about one interval', async () => {
    // 100 a second: interval 10 ms, burst 5.
    const rate = new RateBudget(redis, `${prefix}:rate-r`, { requests: 100, windowMs: 1000 });
    for (let i = 0; i < 5; i++) expect(await rate.reserve()).toBe(0);
    const wait = await rate.reserve();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(10);
    expect(await rate.take(1000)).toBe(0);
  });
});
