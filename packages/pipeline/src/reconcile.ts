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
  const q = (text: string) => deps.db.$client.query(text).then((r) => r.rows);
  const inFlightRows = await q(
    `SELECT id FROM media_files WHERE transcript_status IN ('queued', 'processing') AND transcript_id IS NOT NULL`,
  );
  const inFlightIds = inFlightRows.map((r) => Number(r.id));
  const inFlight = await deps.inFlight.rebuild(inFlightIds, 60_000);
  const pollJobs = await ensureJobs(
    deps.queues,
    'poll',
    inFlightIds.map((fileId) => ({ fileId })),
  );

  const [pendingCount] = await q(
    `SELECT count(*)::int AS n FROM media_files m WHERE transcript_status = 'pending'
       AND EXISTS (SELECT 1 FROM batch_files bf WHERE bf.media_file_id = m.id)`,
  );
  const queued = await deps.queues.transcribe.getJobCountByTypes(
    'waiting',
    'delayed',
    'active',
    'prioritized',
    'waiting-children',
  );
  let transcribeJobs = 0;
  if (options.full || queued < Number(pendingCount?.n ?? 0)) {
    // With the length the sources stated, so rebuilt jobs keep the longest-first order.
    const pending = await q(
      `SELECT m.id, max(bf.episode_duration_s) AS seconds FROM media_files m
         JOIN batch_files bf ON bf.media_file_id = m.id
        WHERE m.transcript_status = 'pending' GROUP BY m.id ORDER BY m.id`,
    );
    const seconds = new Map(
      pending.map((r) => [Number(r.id), r.seconds === null ? null : Number(r.seconds)]),
    );
    transcribeJobs = await ensureJobs(
      deps.queues,
      'transcribe',
      pending.map((r) => ({ fileId: Number(r.id) })),
      (p) => transcribeOptions(seconds.get(p.fileId)),
    );
  }

  const untagged = await q(
    `SELECT DISTINCT m.id, b.taxonomy_id FROM media_files m
       JOIN batch_files bf ON bf.media_file_id = m.id JOIN batches b ON b.id = bf.batch_id
       LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id
      WHERE needs_tagging(m.transcript_status, r.status)`,
  );
  const tagJobs = await ensureJobs(
    deps.queues,
    'tag',
    untagged.map((r) => ({ fileId: Number(r.id), taxonomyId: Number(r.taxonomy_id) })),
  );
  await deps.redis.set(deps.keys.epoch, String(Date.now()));
  return { full: options.full, inFlight, transcribeJobs, pollJobs, tagJobs };
}

/** False when Redis lost the marker a full reconcile leaves: it was flushed or replaced. */
export async function redisStillKnowsUs(deps: WorkerDeps): Promise<boolean> {
  return (await deps.redis.exists(deps.keys.epoch)) === 1;
}
