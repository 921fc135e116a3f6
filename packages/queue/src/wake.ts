import { jobIds, type Payload, type QueueName } from './catalog.ts';
import { ensureJobs, type Queues, queueOf } from './queues.ts';

/** What the receiver did to the file's poll job. */
export type WakeOutcome = 'promoted' | 'added' | 'queued' | 'running';

/**
 * Makes the file's `poll` job run now, so its one GET reads the finished transcript.
 * Delayed (the usual case: the slow fallback check) → promoted; missing or ended → added;
 * waiting → already about to run; active → running now. The job's state can change between
 * two reads (its delay ran out, a worker took it, the transcribe worker added it just after
 * we looked), so a step that finds the state changed looks again.
 */
export async function wakePoll(queues: Queues, fileId: number): Promise<WakeOutcome> {
  const queue = queues.poll;
  const jobId = jobIds.poll({ fileId });
  let lastError: unknown;
  let added = false;
  for (let look = 0; look < 4; look++) {
    const state = await queue.getJobState(jobId);
    switch (state) {
      case 'active':
        return added ? 'added' : 'running';
      case 'waiting':
      case 'prioritized':
      case 'waiting-children':
        return added ? 'added' : 'queued';
      case 'delayed': {
        const job = await queue.getJob(jobId);
        if (!job) continue;
        try {
          await job.promote();
          return 'promoted';
        } catch (error) {
          // No longer delayed: it just became waiting or active. Look again.
          lastError = error;
          continue;
        }
      }
      default:
        // unknown, completed or failed. The transcribe worker may add its delayed fallback
        // job between our read and our add, and then our add is silently ignored: so look
        // again, and promote what is there if it is delayed.
        await ensureJobs(queues, 'poll', [{ fileId }]);
        added = true;
    }
  }
  throw lastError ?? new Error(`poll job ${jobId} kept changing state`);
}

/**
 * Makes the jobs of these payloads run now: a delayed one is promoted, a missing or ended
 * one added (`ensureJobs`); a waiting or running one is left alone. Returns how many were
 * woken (promoted or added).
 */
export async function wakeJobs<Q extends QueueName>(
  queues: Queues,
  name: Q,
  payloads: Payload<Q>[],
): Promise<number> {
  const queue = queueOf(queues, name);
  const idOf = jobIds[name] as (p: Payload<Q>) => string;
  let woken = 0;
  for (let i = 0; i < payloads.length; i += 500) {
    const chunk = payloads.slice(i, i + 500);
    const jobs = await Promise.all(chunk.map((p) => queue.getJob(idOf(p))));
    const promoted = await Promise.allSettled(
      jobs.map(async (job) => {
        if (job && (await job.isDelayed())) {
          await job.promote();
          return 1;
        }
        return 0;
      }),
    );
    for (const r of promoted) {
      // A job that left the delayed set meanwhile is running already: nothing to wake.
      if (r.status === 'fulfilled') woken += r.value;
      else if (!/delayed state/i.test(String((r.reason as Error)?.message))) throw r.reason;
    }
    woken += await ensureJobs(queues, name, chunk);
  }
  return woken;
}

/**
 * Makes the delayed jobs of these payloads run now, looking again (up to `looks` times, every
 * `everyMs`) at one that is running at the moment: it may be about to delay itself. For jobs
 * that wait on work another job has just settled, e.g. the tag jobs of files a batched request
 * sent back to be asked alone. A waiting, missing or ended job is left alone. Returns how many
 * were promoted, and the errors of those that could not be (a job promoted or finished
 * meanwhile finds its way on its own).
 */
export async function promoteWhenDelayed<Q extends QueueName>(
  queues: Queues,
  name: Q,
  payloads: Payload<Q>[],
  options: { looks?: number; everyMs?: number } = {},
): Promise<{ promoted: number; errors: Error[] }> {
  const queue = queueOf(queues, name);
  const idOf = jobIds[name] as (p: Payload<Q>) => string;
  const { looks = 10, everyMs = 100 } = options;
  const results = await Promise.allSettled(
    payloads.map(async (p) => {
      for (let look = 0; look < looks; look++) {
        const job = await queue.getJob(idOf(p));
        const state = job ? await job.getState() : 'unknown';
        if (state === 'delayed') {
          await job?.promote();
          return 1;
        }
        if (state !== 'active') return 0;
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
      return 0;
    }),
  );
  let promoted = 0;
  const errors: Error[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') promoted += r.value;
    else errors.push(r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
  }
  return { promoted, errors };
}
