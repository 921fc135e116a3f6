import { FatalError, toError } from '@mediatag/errors';

/**
 * Adds a command's jobs once its Postgres writes have committed. Redis was reached before the
 * first write; should it fail in between, the message says what Postgres now holds and that
 * nothing is lost: the workers' reconcile pass (or `mediatag reconcile`) adds the missing jobs
 * from Postgres once Redis answers.
 */
export async function addJobsAfterCommit(written: string, add: () => Promise<void>): Promise<void> {
  try {
    await add();
  } catch (error) {
    const reason = toError(error).message.split('\n')[0];
    throw new FatalError(
      `${written}, but its jobs could not be queued: ${reason}\n` +
        'nothing is lost: workers add the missing jobs from Postgres once Redis answers (or run: mediatag reconcile)',
      { cause: error },
    );
  }
}
