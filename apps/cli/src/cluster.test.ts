import { SAMPLES } from '@mediatag/emulator/samples';
import { createRedis, masters, type RedisClient, redisKeys } from '@mediatag/queue';
import { startRedisCluster, type TestRedisCluster } from '@mediatag/queue/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';
import { runCli } from './testing.ts';

// The end-to-end checks of pipeline.test.ts and crash.test.ts, on a real three-master Redis
// Cluster: the queues, the budgets' scripts (in-flight set + rate key, in-flight set + the
// transcribe queue's limiter key) and the metrics hash must all work there.

const mediaIds = SAMPLES.filter((s) => s.taxonomy === 'media').map((s) => s.id);
const callIds = SAMPLES.filter((s) => s.taxonomy === 'support-calls').map((s) => s.id);
const expected = new Map(SAMPLES.map((s) => [s.id, s.expectedTopic]));
const idOf = (url: string) => /\/samples\/([\w-]+)\.mp3/.exec(url)?.[1] ?? '';

let cluster: TestRedisCluster;
let redis: RedisClient;
let h: Harness | undefined;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  redis = createRedis(cluster.url, 'worker');
  await redis.connect();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(async () => {
  redis?.disconnect();
  await cluster?.close();
});

/** This run's keys on each master (by port). */
async function keysByMaster(prefix: string): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const node of masters(redis)) {
    const keys = await node.keys(redisKeys(prefix).all);
    if (keys.length) found.set(Number(node.options.port), keys);
  }
  return found;
}

/** Waits for the batch, noting every key of the run seen on the way. */
async function runWatchingKeys(harness: Harness, batch: string, seen: Map<string, number>) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const [port, keys] of await keysByMaster(harness.prefix)) for (const k of keys) seen.set(k, port);
    const p = await harness.progress(batch);
    if (p.final >= p.total) return p;
    if (Date.now() > deadline) throw new Error(`batch ${batch} not final: ${JSON.stringify(p)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function assertTaggedOnce(harness: Harness, batch: string, files: number) {
  const { rows } = await harness.db.pool.query(
    'SELECT url, topic, transcript_status, tag_status FROM tagged_files WHERE batch = $1',
    [batch],
  );
  expect(rows).toHaveLength(files);
  for (const row of rows as { url: string }[]) {
    expect(row, row.url).toMatchObject({
      transcript_status: 'completed',
      tag_status: 'tagged',
      topic: expected.get(idOf(row.url)),
    });
  }
}

function assertNoDuplicate(harness: Harness, files: number) {
  const stats = harness.emulator.stats();
  expect(stats.submissions).toBe(files);
  expect(stats.submissionsByAudioUrl.duplicates).toEqual({});
}

/** Enqueues copies of every sample, each preset with its own tag list; returns the batch sizes. */
async function enqueueBoth(harness: Harness, copies: number): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const [batch, sampleIds, taxonomy] of [
    ['media', mediaIds, 'media'],
    ['calls', callIds, 'support-calls'],
  ] as const) {
    const urls = sampleCopies(harness.emulator.url, [...sampleIds], copies);
    const out = await harness.cli(
      ['enqueue', '-', '--batch', batch, '--taxonomy', taxonomy],
      urls.join('\n'),
    );
    expect(out.code, out.stderr).toBe(0);
    sizes[batch] = urls.length;
  }
  return sizes;
}

describe('pipeline on a Redis Cluster (three real masters)', () => {
  it('refuses a QUEUE_PREFIX without a hash tag in one line before touching Redis', async () => {
    const run = await runCli(['status'], { REDIS_URL: cluster.url, QUEUE_PREFIX: 'mediatag' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'mediatag: invalid environment: QUEUE_PREFIX: must start with a {hash tag} on a Redis Cluster, e.g. QUEUE_PREFIX={mediatag}\n',
    );
  });

  it('tags every file once, holds the in-flight cap, and keeps every key of the run in one slot', async () => {
    h = await startHarness({
      redisUrl: cluster.url,
      // As pipeline.test.ts's in-flight case: 200 real ms per emulated second.
      emulator: { concurrency: 20, timeScale: 200, queuedSeconds: 0 },
      // The harness sets IN_FLIGHT_RESERVE=0, so MAX_IN_FLIGHT is the whole cap at the emulator.
      env: { MAX_IN_FLIGHT: '20', POLL_MIN_MS: '20', POLL_MAX_MS: '2000' },
    });
    expect(h.prefix).toMatch(/^\{mt-test-[0-9a-f]+\}$/);
    const sizes = await enqueueBoth(h, 4);
    await h.startWorkers();
    const seen = new Map<string, number>();
    await runWatchingKeys(h, 'media', seen);
    await runWatchingKeys(h, 'calls', seen);

    for (const [batch, files] of Object.entries(sizes)) await assertTaggedOnce(h, batch, files);
    assertNoDuplicate(h, (sizes.media ?? 0) + (sizes.calls ?? 0));
    const stats = h.emulator.stats();
    expect(stats.maxConcurrentProcessing).toBeLessThanOrEqual(20);
    expect(stats.maxOpen).toBeLessThanOrEqual(20);

    // Every key the run made (BullMQ's and mediatag's own) sat on one master, in one slot.
    const keys = redisKeys(h.prefix);
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining([keys.inflight, keys.epoch, `${h.prefix}:transcribe:meta`]),
    );
    expect(new Set(seen.values()).size).toBe(1);
    const slots = new Set(
      await Promise.all([...seen.keys()].map((k) => redis.call('CLUSTER', 'KEYSLOT', k))),
    );
    expect(slots.size).toBe(1);
  }, 90_000);

  it('Redis flushed on every master mid-run: workers rebuild from Postgres and every file finishes once', async () => {
    h = await startHarness({ redisUrl: cluster.url, emulator: { timeScale: 15 } });
    const sizes = await enqueueBoth(h, 4);
    await h.startWorkers();
    const deadline = Date.now() + 60_000;
    while (((await h.progress('media')).final ?? 0) < (sizes.media ?? 0) / 4) {
      if (Date.now() > deadline) throw new Error('no progress before the flush');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await h.progress('media')).final).toBeLessThan(sizes.media ?? 0);
    // Running workers write again at once, so only the count of deleted keys is checked here.
    expect(await h.flushRedis()).toBeGreaterThan(0);
    for (const [batch, files] of Object.entries(sizes)) {
      expect(await h.waitFinal(batch, 60_000)).toMatchObject({ total: files, tagged: files, failed: 0 });
      await assertTaggedOnce(h, batch, files);
    }
    assertNoDuplicate(h, (sizes.media ?? 0) + (sizes.calls ?? 0));
  }, 90_000);
});
