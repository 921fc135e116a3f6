import { randomBytes } from 'node:crypto';
import { createRedis } from '@mediatag/queue';
import { afterAll, describe, expect, it } from 'vitest';
import { RateBudget } from './budget.ts';
import type { WorkerDeps } from './deps.ts';
import { takeModel } from './models.ts';

const redis = createRedis('redis://127.0.0.1:6379', 'worker');
const prefix = `mt-test-models-${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

/** Just what takeModel reads: one model with a budget of one request per `intervalMs`. */
function depsWith(name: string, intervalMs: number) {
  const rate = new RateBudget(redis, `${prefix}:${name}`, { requests: 1, windowMs: intervalMs });
  const waits: number[] = [];
  const deps = {
    settings: { models: ['m'], spreadModels: false },
    llmRates: new Map([['m', rate]]),
    llmRate: rate,
    health: {
      quietly: async (p: Promise<unknown>) => void (await p),
      gatewayWait: async (_model: string, ms: number) => void waits.push(ms),
    },
  } as unknown as WorkerDeps;
  return { deps, rate, waits };
}

describe('takeModel', () => {
  it('waits in the worker for its turn when that is soon, so each request of the minute is used', async () => {
    const { deps, waits } = depsWith('soon', 300);
    expect(await takeModel(deps, 'media')).toEqual({ model: 'm' });
    // The next request is allowed in ~300 ms: within maxWaitMs it waits and goes.
    expect(await takeModel(deps, 'media', { maxWaitMs: 2000 })).toEqual({ model: 'm' });
    expect(waits).toEqual([]);
  });

  it('hands back the wait when it is longer than the request may wait here', async () => {
    const { deps, waits } = depsWith('later', 60_000);
    expect(await takeModel(deps, 'media')).toEqual({ model: 'm' });
    const pick = await takeModel(deps, 'media', { maxWaitMs: 2000 });
    expect('waitMs' in pick && pick.waitMs > 2000).toBe(true);
    expect(waits).toHaveLength(1);
  });

  it('spends no request when the files it was for are no longer waiting', async () => {
    const { deps, rate } = depsWith('unwanted', 60_000);
    expect(await takeModel(deps, 'media', { wanted: async () => false })).toEqual({ unwanted: true });
    // The budget's one request is still there.
    expect(await rate.reserve()).toBe(0);
  });
});
