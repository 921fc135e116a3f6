import { randomBytes } from 'node:crypto';
import { addJobs, createQueues, createRedis, redisKeys, transcribeOptions } from '@mediatag/queue';
import { type Job, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { InFlightBudget, RateBudget } from './budget.ts';
import { pauseQueue } from './errors.ts';

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

  it('rebuild keeps the time each live slot was taken, adds the missing and drops the stale', async () => {
    const key = `${prefix}:r`;
    const b = new InFlightBudget(redis, key, 10);
    expect(await b.oldest()).toBeUndefined();
    await redis.zadd(key, 1000, '1', 2000, '2');
    // File 1 is in flight in Postgres, 2 is not (and was taken long ago), 3 is missing here.
    expect(await b.rebuild([1, 3], 60_000)).toEqual({ added: 1, removed: 1 });
    expect(await redis.zscore(key, '1')).toBe('1000');
    expect(await redis.zscore(key, '2')).toBeNull();
    expect(Number(await redis.zscore(key, '3'))).toBeGreaterThan(2000);
    // The oldest slot's time: where the completion sweep stops paging.
    expect(await b.oldest()).toBe(1000);
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

  it('frees the slot, ends the pause and sets the wake marker in one call', async () => {
    const b = new InFlightBudget(redis, `${prefix}:c`, 1);
    await b.acquire(7);
    const keys = redisKeys(prefix);
    await redis.set(keys.limiter('transcribe'), '1');
    await b.release(7, { limiter: keys.limiter('transcribe'), marker: keys.marker('transcribe') });
    expect(await b.count()).toBe(0);
    expect(await redis.exists(keys.limiter('transcribe'))).toBe(0);
    expect(await redis.zrange(keys.marker('transcribe'), '0', '-1')).toEqual(['0']);
  });

  it('wakes a worker that is waiting with a longest-first job handed back for want of a slot', async () => {
    // BullMQ puts a rate-limited prioritised job back without a marker: without the one
    // release sets, the worker would sleep its whole drain delay (60 s here, past the test's timeout).
    const queues = createQueues(redis, `${prefix}-wake`);
    const budget = new InFlightBudget(redis, `${prefix}:wake-inflight`, 1);
    await budget.acquire(1);
    const runs: string[] = [];
    const worker = new Worker(
      'transcribe',
      async (job: Job) => {
        if (!(await budget.acquire(job.data.fileId))) {
          runs.push('full');
          // Meanwhile the worker's other slot finds the queue empty and blocks on its marker.
          await new Promise((resolve) => setTimeout(resolve, 300));
          return pauseQueue(queues.transcribe, 50);
        }
        runs.push('ran');
        const keys = redisKeys(`${prefix}-wake`);
        await budget.release(job.data.fileId, {
          limiter: keys.limiter('transcribe'),
          marker: keys.marker('transcribe'),
        });
        return 'ok';
      },
      {
        connection: redis,
        prefix: `${prefix}-wake`,
        concurrency: 2,
        drainDelay: 60,
        limiter: { max: 1_000_000, duration: 1000 },
      },
    );
    try {
      const done = new Promise((resolve) => worker.on('completed', resolve));
      await addJobs(queues, 'transcribe', [{ fileId: 2 }], transcribeOptions(600));
      while (!runs.includes('full')) await new Promise((resolve) => setTimeout(resolve, 20));
      // Past the pause: the job is back in the queue and the worker blocked on its marker.
      await new Promise((resolve) => setTimeout(resolve, 800));
      const keys = redisKeys(`${prefix}-wake`);
      await budget.release(1, { limiter: keys.limiter('transcribe'), marker: keys.marker('transcribe') });
      await done;
      expect(runs).toEqual(['full', 'ran']);
    } finally {
      await worker.close();
      await queues.transcribe.obliterate({ force: true });
      await queues.close();
    }
  });
});

describe('RateBudget', () => {
  it('allows the burst at once, then asks to wait about one interval', async () => {
    // 100 in 20 s: interval 200 ms, burst 5 (wide enough that a loaded machine's slow
    // round trips do not refill the budget between the calls).
    const rate = new RateBudget(redis, `${prefix}:rate-r`, { requests: 100, windowMs: 20_000 });
    for (let i = 0; i < 5; i++) expect(await rate.reserve()).toBe(0);
    const wait = await rate.reserve();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(200);
    expect(await rate.take(1000)).toBe(0);
  });
});
