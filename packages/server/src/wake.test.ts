import { jobIds } from '@mediatag/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, openFixture } from './testing.ts';
import { wakePoll } from './wake.ts';

let f: Fixture;
beforeAll(async () => {
  f = await openFixture();
});
afterAll(async () => {
  await f.close();
});

describe('wakePoll', () => {
  it('promotes the fallback job the transcribe worker adds between our look and our add', async () => {
    const fileId = 4242;
    const jobId = jobIds.poll({ fileId });
    const real = f.queues.poll;
    let looks = 0;
    // The race, made deterministic: the add's own look (the second) finds nothing, and the
    // worker's delayed fallback job lands just before the add, which BullMQ then ignores.
    const racing = Object.create(real) as typeof real;
    racing.getJobState = async (id: string) => {
      const state = await real.getJobState(id);
      looks += 1;
      if (looks === 2) await real.add('poll', { fileId }, { jobId, delay: 300_000 });
      return state;
    };
    expect(await wakePoll(racing, fileId)).toBe('promoted');
    expect(await real.getJobState(jobId)).toBe('waiting');
  });

  it('adds a job when there is none', async () => {
    expect(await wakePoll(f.queues.poll, 4343)).toBe('added');
    expect(await f.queues.poll.getJobState(jobIds.poll({ fileId: 4343 }))).toBe('waiting');
  });
});
