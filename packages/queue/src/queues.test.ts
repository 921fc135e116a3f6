import { randomBytes } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidPayloadError, jobIds, parsePayload } from './catalog.ts';
import { checkRedis, createRedis } from './connection.ts';
import { addJobs, createQueues, ensureJobs, type Queues } from './queues.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const redis = createRedis(REDIS_URL, 'worker');
let queues: Queues;

beforeAll(async () => {
  await checkRedis(redis, REDIS_URL);
  queues = createQueues(redis, `mt-test-${randomBytes(4).toString('hex')}`);
});
afterAll(async () => {
  await queues.transcribe.obliterate({ force: true });
  await queues.poll.obliterate({ force: true });
  await queues.tag.obliterate({ force: true });
  await queues.close();
  redis.disconnect();
});

describe('queue catalog', () => {
  it('validates payloads and rejects extra or wrong fields', () => {
    expect(parsePayload('transcribe', { fileId: 3 })).toEqual({ fileId: 3 });
    expect(() => parsePayload('transcribe', { fileId: '3' })).toThrow(InvalidPayloadError);
    expect(() => parsePayload('tag', { fileId: 3 })).toThrow(/taxonomyId/);
    expect(() => parsePayload('transcribe', { fileId: 3, url: 'x' })).toThrow(InvalidPayloadError);
    // BullMQ fails an UnrecoverableError at once: a bad payload never uses its retries.
    expect(() => parsePayload('poll', {})).toThrow(UnrecoverableError);
  });

  it('makes ids BullMQ accepts: no colon, never digits only', () => {
    for (const id of [
      jobIds.transcribe({ fileId: 12 }),
      jobIds.poll({ fileId: 12 }),
      jobIds.tag({ fileId: 12, taxonomyId: 3 }),
    ]) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
  });

  it('adding the same files twice leaves one job per file', async () => {
    const payloads = Array.from({ length: 1500 }, (_, i) => ({ fileId: i + 1 }));
    await addJobs(queues, 'transcribe', payloads);
    await addJobs(queues, 'transcribe', payloads.slice(0, 700));
    expect(await queues.transcribe.count()).toBe(1500);
    const job = await queues.transcribe.getJob('tx-42');
    expect(job?.data).toEqual({ fileId: 42 });
  });

  it('isolates queues by prefix', async () => {
    const other = createQueues(redis, `mt-test-${randomBytes(4).toString('hex')}`);
    try {
      expect(await other.transcribe.count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('reports an unreachable Redis in one line', async () => {
    const url = 'redis://127.0.0.1:1';
    const dead = createRedis(url, 'producer');
    await expect(checkRedis(dead, url)).rejects.toThrow(/^cannot connect to Redis at 127\.0\.0\.1:1: /);
    dead.disconnect();
  });
});

describe('ensureJobs', () => {
  it('adds missing jobs, re-adds ended ones and leaves live ones alone', async () => {
    const q = queues.tag;
    await addJobs(queues, 'tag', [{ fileId: 2, taxonomyId: 1 }]);
    const worker = new Worker(
      'tag',
      async () => {
        throw new UnrecoverableError('boom');
      },
      { connection: redis, prefix: queues.prefix },
    );
    await new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await worker.close();
    expect(await q.getJobState('tag-2-1')).toBe('failed');
    await addJobs(queues, 'tag', [{ fileId: 1, taxonomyId: 1 }]);
    const added = await ensureJobs(queues, 'tag', [
      { fileId: 1, taxonomyId: 1 },
      { fileId: 2, taxonomyId: 1 },
      { fileId: 3, taxonomyId: 1 },
    ]);
    expect(added).toBe(2);
    expect(await q.getJobState('tag-1-1')).toBe('waiting');
    expect(await q.getJobState('tag-2-1')).toBe('waiting');
    expect(await q.getJobState('tag-3-1')).toBe('waiting');
  });
});
