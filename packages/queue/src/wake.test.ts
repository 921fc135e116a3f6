import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds } from './catalog.ts';
import { createRedis } from './connection.ts';
import { addJobs, createQueues, type Queues, schedulePoll } from './queues.ts';
import { promoteWhenDelayed, wakeJobs, wakePoll } from './wake.ts';

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

describe('promoteWhenDelayed', () => {
  it('promotes a delayed job, waits for a running one to delay itself, leaves others alone', async () => {
    const delayed = { fileId: 501, taxonomyId: 1 };
    const running = { fileId: 502, taxonomyId: 1 };
    const waiting = { fileId: 503, taxonomyId: 1 };
    await addJobs(queues, 'tag', [delayed, running], { delay: 600_000 });
    await addJobs(queues, 'tag', [waiting]);
    const real = queues.tag;
    // The "running" job reads as active twice (it is about to delay itself), then as delayed.
    let runningLooks = 0;
    const racing = Object.create(real) as typeof real;
    racing.getJob = async (id: string) => {
      const job = await real.getJob(id);
      if (job && id === jobIds.tag(running) && ++runningLooks <= 2) job.getState = async () => 'active';
      return job;
    };
    const result = await promoteWhenDelayed(
      { ...queues, tag: racing },
      'tag',
      [delayed, running, waiting, { fileId: 504, taxonomyId: 1 }],
      { everyMs: 10 },
    );
    expect(result).toEqual({ promoted: 2, errors: [] });
    expect(runningLooks).toBe(3);
    for (const p of [delayed, running, waiting]) {
      expect(await real.getJobState(jobIds.tag(p))).toBe('waiting');
    }
  });
});
