import { AuthError, BadRequestError, RateLimitError, ServerError } from '@mediatag/assemblyai';
import { addJobs, InvalidPayloadError, jobIds, type Payload, type QueueName } from '@mediatag/queue';
import { DelayedError, type Job, UnrecoverableError, WaitingChildrenError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestbed, type Testbed } from './testing.ts';
import { type FailureHandling, onFailure, type WaitVerdict } from './verdict.ts';

const at = { method: 'POST', path: '/v2/transcript', sent: true };

/** A job on its `attempt`-th run of `attempts` (BullMQ counts attemptsMade from 0). */
const jobAt = (attempt: number, attempts = 8) => ({ attemptsMade: attempt - 1, opts: { attempts } }) as Job;

/** A handling that writes down what it was asked to do. */
function recording<T = never>(instead?: (reason: string) => Promise<T>) {
  const seen = {
    waits: [] as WaitVerdict[],
    records: [] as Array<[string, string]>,
    retrying: [] as string[],
  };
  const handling: FailureHandling<T> = {
    async wait(verdict) {
      seen.waits.push(verdict);
      throw new Error('waited');
    },
    async record(reason, cause) {
      seen.records.push([reason, cause]);
    },
    retrying: (reason) => seen.retrying.push(reason),
    ...(instead && { instead }),
  };
  return { seen, handling };
}

describe('onFailure: one verdict for every processor', () => {
  it("rethrows BullMQ's control flow untouched, recording nothing", async () => {
    for (const control of [new DelayedError(), Worker.RateLimitError(), new WaitingChildrenError()]) {
      const { seen, handling } = recording();
      // On the last attempt too: a job waiting for its budget has not failed.
      await expect(onFailure(jobAt(8), control, handling)).rejects.toBe(control);
      expect(seen).toEqual({ waits: [], records: [], retrying: [] });
    }
  });

  it('hands a 429 or a rejected key to wait, without recording a failure', async () => {
    const { seen, handling } = recording();
    await expect(
      onFailure(jobAt(8), new RateLimitError('slow down', { ...at, retryAfterMs: 1500 }), handling),
    ).rejects.toThrow('waited');
    await expect(onFailure(jobAt(1), new AuthError('bad key', at), handling)).rejects.toThrow('waited');
    expect(seen.waits).toEqual([
      { kind: 'rate-limited', waitMs: 1500 },
      { kind: 'auth', reason: 'bad key' },
    ]);
    expect(seen.records).toEqual([]);
  });

  it('records a permanent failure and fails the job without retries', async () => {
    const { seen, handling } = recording();
    const error = await onFailure(jobAt(1), new BadRequestError('no audio', at), handling).catch((e) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toBe('no audio');
    expect(seen.records).toEqual([['no audio', 'permanent']]);
    expect(seen.retrying).toEqual([]);
  });

  it('fails an invalid payload at once, as permanent', async () => {
    const { seen, handling } = recording();
    const invalid = new InvalidPayloadError('invalid tag payload: taxonomyId: expected number');
    await expect(onFailure(jobAt(1), invalid, handling)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(seen.records).toEqual([['invalid tag payload: taxonomyId: expected number', 'permanent']]);
  });

  it('turns a permanent failure into another outcome when the processor has one', async () => {
    const { seen, handling } = recording(async (reason) => `alone: ${reason}`);
    expect(await onFailure(jobAt(1), new BadRequestError('too long', at), handling)).toBe('alone: too long');
    expect(seen.records).toEqual([]);
  });

  it('rethrows a retryable failure for the backoff, recording it only on the last attempt', async () => {
    const { seen, handling } = recording();
    const early = new ServerError('upstream 503', { ...at, statusCode: 503 });
    await expect(onFailure(jobAt(3), early, handling)).rejects.toBe(early);
    expect(seen.records).toEqual([]);
    const last = new Error('socket hang up');
    await expect(onFailure(jobAt(8), last, handling)).rejects.toBe(last);
    expect(seen.records).toEqual([['socket hang up', 'last-attempt']]);
    expect(seen.retrying).toEqual(['upstream 503', 'socket hang up']);
  });
});

describe('a job whose payload fails validation', () => {
  let bed: Testbed;
  beforeAll(async () => {
    bed = await openTestbed();
  });
  afterAll(() => bed.close());

  it('fails at once in each queue, with the reason, instead of being retried 8 times', async () => {
    const d = await bed.deps();
    const bad: { [Q in QueueName]: Record<string, unknown> } = {
      transcribe: { fileId: 'seven' },
      poll: { fileId: 7, url: 'https://example.com/a.mp3' },
      tag: { fileId: 7 },
    };
    // The catalog's types refuse these payloads; Redis holds whatever it is given.
    for (const name of ['transcribe', 'poll', 'tag'] as const)
      await addJobs(d.queues, name, [bad[name] as never]);
    bed.start(d, { role: 'all', concurrency: 1, reconcile: false });
    for (const name of ['transcribe', 'poll', 'tag'] as const) {
      const id = (jobIds[name] as (p: Payload<typeof name>) => string)(bad[name] as never);
      // After one run: `failed` at once, where a retried job would be `delayed` for its backoff.
      await expect
        .poll(() => d.queues[name].getJobState(id), { timeout: 10_000 })
        .not.toMatch(/^(waiting|active|unknown)$/);
      const job = await d.queues[name].getJob(id);
      expect(await job?.getState()).toBe('failed');
      expect(job?.attemptsMade).toBe(1);
      expect(job?.failedReason).toMatch(new RegExp(`^invalid ${name} payload: `));
    }
  });
});
