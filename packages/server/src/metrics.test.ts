// /metrics under many scrapers: one collection shared by all, cached for the interval,
// behind a bearer token when one is set; /healthz answering while metrics are stuck.
import { createDb, createPool } from '@mediatag/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Fixture, openFixture } from './testing.ts';

let f: Fixture;
const pools: ReturnType<typeof createPool>[] = [];

beforeAll(async () => {
  f = await openFixture();
  await f.addFile('tr-1', 'completed');
});
afterAll(async () => {
  await f.close();
  await Promise.all(pools.map((p) => p.end()));
});

/** A pool of its own whose statements are counted (every query checks a client out once). */
function countingDb(max = 5) {
  const pool = createPool(f.db.url, { max });
  pools.push(pool);
  const counter = { queries: 0 };
  pool.on('acquire', () => {
    counter.queries++;
  });
  return { db: createDb(pool), pool, counter };
}

const TOKEN = 'metrics-token-0123456789';

describe('GET /metrics', () => {
  it('runs one collection for 16 concurrent scrapes, and none for a scrape within the interval', async () => {
    const { db, counter } = countingDb();
    const server = await f.serve({ db, metrics: { cacheMs: 60_000 } });
    const answers = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const res = await fetch(`${server.url}/metrics`);
        return { status: res.status, text: await res.text() };
      }),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers[0]?.text).toContain('mediatag_files{transcript_status="completed"} 1');
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    // One collection: one statement per table.
    expect(counter.queries).toBe(2);

    await f.addFile('tr-2', 'completed');
    const again = await fetch(`${server.url}/metrics`);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(answers[0]?.text);
    expect(counter.queries).toBe(2);
  });

  it('collects again once the interval has passed', async () => {
    const { db, counter } = countingDb();
    const server = await f.serve({ db, metrics: { cacheMs: 100 } });
    // The cache reads the global clock; only the clock is faked, sockets and Postgres stay real.
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
      const first = counter.queries;
      expect(first).toBeGreaterThan(0);
      vi.advanceTimersByTime(99);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
      expect(counter.queries).toBe(first);
      vi.advanceTimersByTime(1);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
      expect(counter.queries).toBeGreaterThan(first);
    } finally {
      vi.useRealTimers();
    }
  });

  it('requires the bearer token when one is set, comparing it whole', async () => {
    const server = await f.serve({ metrics: { token: TOKEN } });
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) {
      const res = await fetch(`${server.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mediatag"');
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.json()).toEqual({ error: 'unauthorized' });
    }
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('mediatag_in_flight_transcripts');
    // /healthz stays open for load balancers.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('GET /healthz under a stuck metrics collection', () => {
  it('answers 200 from its own pool while every connection of the main pool is busy', async () => {
    const main = countingDb(1);
    const health = createPool(f.db.url, { max: 1, statementTimeoutMs: 1000 });
    pools.push(health);
    const server = await f.serve({ db: main.db, healthPool: health });
    // The main pool's only connection is held for 3 s, so the collection waits for it.
    const blocker = main.pool.query('SELECT pg_sleep(3)');
    const scrape = fetch(`${server.url}/metrics`);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, postgres: 'ok', redis: 'ok' });
    await blocker;
    expect((await scrape).status).toBe(200);
  });
});
