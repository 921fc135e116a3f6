import { randomBytes } from 'node:crypto';
import { createRedis, redisKeys } from '@mediatag/queue';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeExpositions } from './bullmq.ts';
import { decodeField, encodeField } from './fields.ts';
import { MetricsRecorder } from './recorder.ts';
import { parseRequestHash } from './requests.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const redis = createRedis(REDIS_URL, 'worker');
const prefix = `mt-test-${randomBytes(4).toString('hex')}`;
const key = redisKeys(prefix).metrics;

afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

const get = (route: string, statusCode: number, durationMs: number) => ({
  api: 'assemblyai' as const,
  method: 'GET',
  route,
  statusCode,
  durationMs,
});

describe('MetricsRecorder', () => {
  it('adds up the deltas of several processes in one Redis hash', async () => {
    const a = new MetricsRecorder({ redis, key });
    const b = new MetricsRecorder({ redis, key });
    a.observeRequest(get('/v2/transcript/:id', 200, 40));
    a.observeRequest(get('/v2/transcript/:id', 200, 700));
    b.observeRequest(get('/v2/transcript/:id', 200, 120_000));
    b.observeRequest({
      api: 'gateway',
      method: 'POST',
      route: '/v1/chat/completions',
      durationMs: 5,
      errorCode: 'ECONNRESET',
    });
    b.rateLimited('assemblyai');
    await Promise.all([a.flush(), b.flush()]);
    a.observeRequest(get('/v2/transcript/:id', 429, 10));
    a.rateLimited('assemblyai');
    await a.stop();
    await b.stop();

    const totals = parseRequestHash(await redis.hgetall(a.key));
    expect(totals.requests).toEqual(
      expect.arrayContaining([
        {
          labels: { api: 'assemblyai', method: 'GET', route: '/v2/transcript/:id', status: '200' },
          value: 3,
        },
        {
          labels: { api: 'assemblyai', method: 'GET', route: '/v2/transcript/:id', status: '429' },
          value: 1,
        },
        {
          labels: { api: 'gateway', method: 'POST', route: '/v1/chat/completions', status: 'ECONNRESET' },
          value: 1,
        },
      ]),
    );
    expect(totals.rateLimited).toEqual([{ api: 'assemblyai', value: 2 }]);
    const series = totals.durations.find((d) => d.labels.api === 'assemblyai');
    // Buckets 0.05 (40 ms, 10 ms), 1 (700 ms) and +Inf (120 s); not cumulative in the hash.
    expect(series?.buckets).toEqual([2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(series?.sum).toBeCloseTo(0.04 + 0.7 + 120 + 0.01, 6);
  });

  it('keeps the deltas when a flush fails and sends them with the next one', async () => {
    const conn = createRedis(REDIS_URL, 'producer');
    await conn.connect();
    const recorder = new MetricsRecorder({ redis: conn, key: redisKeys(`${prefix}-retry`).metrics });
    recorder.observeRequest(get('/v2/transcript', 200, 1));
    conn.disconnect();
    await recorder.flush();
    await conn.connect();
    expect(await conn.hget(recorder.key, 'req|assemblyai|GET|/v2/transcript|200')).toBeNull();
    recorder.observeRequest(get('/v2/transcript', 200, 1));
    await recorder.stop();
    expect(await conn.hget(recorder.key, 'req|assemblyai|GET|/v2/transcript|200')).toBe('2');
    await conn.del(recorder.key);
    conn.disconnect();
  });

  it('encodes label values so they cannot break the field format', () => {
    const field = { kind: 'requests', api: 'gateway', method: 'POST', route: '/a|b', status: '200' } as const;
    expect(decodeField(encodeField(field))).toEqual({ ...field, route: '/a_b' });
    expect(decodeField('nonsense')).toBeUndefined();
  });
});

describe('mergeExpositions', () => {
  it('declares each family once and keeps every sample', () => {
    const one = (q: string) =>
      `# HELP bullmq_job_count Jobs\n# TYPE bullmq_job_count gauge\nbullmq_job_count{queue="${q}"} 1\n# HELP x_total X\n# TYPE x_total counter\nx_total{queue="${q}"} 2`;
    const merged = mergeExpositions([one('a'), one('b')]);
    expect(merged).toBe(
      [
        '# HELP bullmq_job_count Jobs',
        '# TYPE bullmq_job_count gauge',
        'bullmq_job_count{queue="a"} 1',
        'bullmq_job_count{queue="b"} 1',
        '# HELP x_total X',
        '# TYPE x_total counter',
        'x_total{queue="a"} 2',
        'x_total{queue="b"} 2',
        '',
      ].join('\n'),
    );
  });
});
