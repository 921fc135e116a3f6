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
        await ensureJobs(queue, 'poll', [{ fileId }]);
        added = true;
    }
  }
  throw lastError ?? new Error(`poll job ${jobId} kept changing state`);
}
