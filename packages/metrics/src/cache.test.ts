import { describe, expect, it } from 'vitest';
import { SingleFlightCache } from './cache.ts';

describe('SingleFlightCache', () => {
  it('shares one computation between concurrent callers and serves it until the interval ends', async () => {
    let clock = 0;
    let runs = 0;
    let release!: () => void;
    const cache = new SingleFlightCache(
      async () => {
        runs++;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return `value ${runs}`;
      },
      1000,
      () => clock,
    );
    const waiting = Array.from({ length: 10 }, () => cache.get());
    release();
    expect(await Promise.all(waiting)).toEqual(Array(10).fill('value 1'));
    clock = 999;
    expect(await cache.get()).toBe('value 1');
    expect(runs).toBe(1);
    clock = 1000;
    const next = cache.get();
    release();
    expect(await next).toBe('value 2');
    expect(cache.runs).toBe(2);
  });

  it('does not keep a failure: everyone waiting gets it, the next caller tries again', async () => {
    let fail = true;
    const cache = new SingleFlightCache(async () => {
      if (fail) throw new Error('postgres down');
      return 'ok';
    }, 60_000);
    const results = await Promise.allSettled([cache.get(), cache.get()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(cache.runs).toBe(1);
    fail = false;
    expect(await cache.get()).toBe('ok');
    expect(cache.runs).toBe(2);
  });
});
