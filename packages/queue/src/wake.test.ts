import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds } from './catalog.ts';
import { createRedis } from './connection.ts';
import { addJobs, createQueues, type Queues, schedulePoll } from './queues.ts';
import { wakeJobs, wakePoll } from './wake.ts';

const redis = createRedis('redis://127.0.0.1:6379', 'worker');
let queues: Queues;

beforeAll(() => {
  queues = createQueues(redis, `mt-test-${randomBytes(4).toString('hex')}`);
});
afterAll(async () => {
  for (const q of [queues.transcribe, queues.poll, queues.tag]) await q.obliterate({ force: true });
  await queues.close();
  redis.disconnect();
});

describe('wakePoll', () => {
  it('promotes the fallback job the transcribe worker adds between our look and our add', async () => {
    const fileId = 4242;
    const jobId = jobIds.poll({ fileId });
    const real = queues.poll;
    let looks = 0;
    // The race, made deterministic: the add's own look (the second) finds nothing, and the
    // worker's delayed fallback job lands just before the add, which BullMQ then ignores.
    const racing = Object.create(real) as typeof real;
    racing.getJobState = async (id: string) => {
      const state = await real.getJobState(id);
      looks += 1;
      if (looks === 2) await schedulePoll(queues, fileId, 300_000);
      return state;
    };
    expect(await wakePoll({ ...queues, poll: racing }, fileId)).toBe('promoted');
    expect(await real.getJobState(jobId)).toBe('waiting');
  });

  it('adds a job when there is none', async () => {
    expect(await wakePoll(queues, 4343)).toBe('added');
    expect(await queues.poll.getJobState(jobIds.poll({ fileId: 4343 }))).toBe('waiting');
  });
});

describe('wakeJobs', () => {
  it('promotes delayed jobs, adds missing ones and leaves waiting ones alone', async () => {
    await addJobs(queues, 'transcribe', [{ fileId: 1 }], { delay: 600_000 });
    await addJobs(queues, 'transcribe', [{ fileId: 2 }]);
    expect(await wakeJobs(queues, 'transcribe', [{ fileId: 1 }, { fileId: 2 }, { fileId: 3 }])).toBe(2);
    for (const fileId of [1, 2, 3])
      expect(await queues.transcribe.getJobState(jobIds.transcribe({ fileId }))).toBe('waiting');
  });
});
