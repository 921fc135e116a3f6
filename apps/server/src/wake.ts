import { ensureJobs, jobIds, type Queues } from '@mediatag/queue';

/** What the receiver did to the file's poll job. */
export type WakeOutcome = 'promoted' | 'added' | 'queued' | 'running';

/**
 * Makes the file's `poll` job run now, so its one GET reads the finished transcript.
 * Delayed (the usual case: the slow fallback check) → promoted; missing or ended → added;
 * waiting → already about to run; active → running now. The job's state can change between
 * two reads (its delay ran out, a worker took it, the transcribe worker added it just after
 * we looked), so a step that finds the state changed looks again.
 */
export async function wakePoll(queue: Queues['poll'], fileId: number): Promise<WakeOutcome> {
  const jobId = jobIds.poll({ fileId });
  let lastError: unknown;
  for (let look = 0; look < 3; look++) {
    const state = await queue.getJobState(jobId);
    switch (state) {
      case 'active':
        return 'running';
      case 'waiting':
      case 'prioritized':
      case 'waiting-children':
        return 'queued';
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
        // unknown, completed or failed. ensureJobs adds nothing if a job appeared meanwhile.
        if ((await ensureJobs(queue, 'poll', [{ fileId }])) > 0) return 'added';
    }
  }
  throw lastError ?? new Error(`poll job ${jobId} kept changing state`);
}
