import { type BatchOutcome, saveBatchOutcomes, saveTagOutcome, type TagOutcome } from '@mediatag/db';
import type { Logger } from '@mediatag/logger';
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { WorkerDeps } from './deps.ts';

// A paid gateway answer whose save failed (Postgres down, a failover) rides with the job, so
// the retry saves it instead of asking (and paying) again. Written only when the save fails:
// the happy path costs nothing extra. A crash between the answer and the save still loses it:
// then at most that one request is asked again.

const single = z.object({
  kind: z.literal('single'),
  outcome: z.object({
    status: z.enum(['tagged', 'unmatched', 'error']),
    topic: z.string().nullable(),
    rawAnswer: z.string().nullable(),
    model: z.string().nullable(),
    inputTokens: z.number().nullable(),
    outputTokens: z.number().nullable(),
    costUsd: z.number().nullable(),
    error: z.string().nullable(),
    requestId: z.string().nullable(),
  }),
});
const batch = z.object({
  kind: z.literal('batch'),
  taxonomyId: z.number().int().positive(),
  request: z.object({ model: z.string(), requestId: z.string().nullable(), size: z.number().int() }),
  outcomes: z.array(
    z.object({
      fileId: z.number().int().positive(),
      status: z.enum(['tagged', 'solo']),
      topic: z.string().nullable(),
      rawAnswer: z.string().nullable(),
      error: z.string().nullable(),
      inputTokens: z.number(),
      outputTokens: z.number(),
      costUsd: z.number(),
    }),
  ),
});
const kept = z.discriminatedUnion('kind', [single, batch]);
export type KeptAnswer = z.infer<typeof kept>;

/** Saves with `save`; if that fails, keeps `answer` in the job's data before rethrowing. */
export async function saveOrKeep<T>(
  job: Job,
  answer: KeptAnswer,
  save: () => Promise<T>,
  log: Logger,
): Promise<T> {
  try {
    return await save();
  } catch (error) {
    try {
      await job.updateData({ ...job.data, answer });
      log.error(
        { err: (error as Error).message },
        'saving a paid answer failed; kept with the job for its retry',
      );
    } catch {
      // Redis is gone too: the answer is lost and the retry asks once more.
    }
    throw error;
  }
}

/** A retry that carries a kept answer saves it first; true when one was saved. */
export async function saveKept(job: Job, deps: WorkerDeps, log: Logger): Promise<boolean> {
  const raw = (job.data as { answer?: unknown }).answer;
  if (raw === undefined) return false;
  const parsed = kept.safeParse(raw);
  const { answer: _dropped, ...ids } = job.data as Record<string, unknown>;
  if (!parsed.success) {
    log.warn({}, 'a kept answer had an unexpected shape; asking again');
  } else if (parsed.data.kind === 'single') {
    const { fileId, taxonomyId } = job.data as { fileId: number; taxonomyId: number };
    await saveTagOutcome(deps.db, fileId, taxonomyId, parsed.data.outcome as TagOutcome);
  } else {
    const b = parsed.data;
    await saveBatchOutcomes(deps.db, b.taxonomyId, b.request, b.outcomes as BatchOutcome[]);
  }
  await job.updateData(ids);
  return parsed.success;
}
