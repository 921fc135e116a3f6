import { countUnsubmitted, inFlightFileIds, unsubmittedFilesWithLength, untaggedPairs } from '@mediatag/db';
import { ensureJobs, transcribeOptions } from '@mediatag/queue';
import type { WorkerDeps } from './deps.ts';

/** What a reconcile pass repaired. */
export interface ReconcileReport {
  full: boolean;
  inFlight: { added: number; removed: number };
  transcribeJobs: number;
  pollJobs: number;
  tagJobs: number;
}

/**
 * Rebuilds Redis from Postgres (invariant 4 in docs/ARCHITECTURE.md): the in-flight budget, a
 * poll job for every submitted unfinished transcript, a transcribe job for every unsubmitted file, and a
 * tag job for every transcribed file still missing its batch's topic. `full` also checks
 * every unsubmitted file (needed after Redis lost its data); the light pass only looks when
 * the transcribe queue holds fewer jobs than Postgres has unsubmitted files.
 */
export async function reconcile(deps: WorkerDeps, options: { full: boolean }): Promise<ReconcileReport> {
  const inFlightIds = await inFlightFileIds(deps.db);
  const inFlight = await deps.inFlight.rebuild(inFlightIds, 60_000);
  const pollJobs = await ensureJobs(
    deps.queues,
    'poll',
    inFlightIds.map((fileId) => ({ fileId })),
  );

  const pendingCount = await countUnsubmitted(deps.db);
  const queued = await deps.queues.transcribe.getJobCountByTypes(
    'waiting',
    'delayed',
    'active',
    'prioritized',
    'waiting-children',
  );
  let transcribeJobs = 0;
  if (options.full || queued < pendingCount) {
    // With the length the sources stated, so rebuilt jobs keep the longest-first order.
    const pending = await unsubmittedFilesWithLength(deps.db);
    const seconds = new Map(pending.map((f) => [f.fileId, f.seconds]));
    transcribeJobs = await ensureJobs(
      deps.queues,
      'transcribe',
      pending.map(({ fileId }) => ({ fileId })),
      (p) => transcribeOptions(seconds.get(p.fileId)),
    );
  }

  const tagJobs = await ensureJobs(deps.queues, 'tag', await untaggedPairs(deps.db));
  await deps.redis.set(deps.keys.epoch, String(Date.now()));
  return { full: options.full, inFlight, transcribeJobs, pollJobs, tagJobs };
}

/** False when Redis lost the marker a full reconcile leaves: it was flushed or replaced. */
export async function redisStillKnowsUs(deps: WorkerDeps): Promise<boolean> {
  return (await deps.redis.exists(deps.keys.epoch)) === 1;
}
