import { setBatchCap, unsubmittedFiles } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { redisKeys, wakeJobs } from '@mediatag/queue';
import type { Context } from './context.ts';
import { usd } from './why.ts';

/** `--max-cost USD` / `set-cap NAME USD|none`: a non-negative amount in USD, or null for none. */
export function parseCap(value: string, what: string): number | null {
  if (value.trim().toLowerCase() === 'none') return null;
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value))
    throw new UsageError(`${what} must be an amount in USD (e.g. 25 or 2.50) or none`);
  return Number(value);
}

/** "no cap" or "$25.00". */
export function describeCap(cap: number | null): string {
  return cap === null ? 'no cap' : `a ${usd(cap)} cap`;
}

/**
 * Sets a batch's spending cap and wakes the files the old cap held: their "batch is full"
 * mark is dropped and their delayed transcribe jobs run now (a missing job is added), so a
 * raised cap resumes at once instead of at the workers' next look. Returns how many files
 * were woken.
 */
export async function setCap(ctx: Context, batchId: number, cap: number | null): Promise<number> {
  const db = await ctx.db();
  await setBatchCap(db, batchId, cap);
  const redis = await ctx.redis();
  await redis.del(redisKeys(ctx.env.QUEUE_PREFIX).capFull(batchId));
  const pending = (await unsubmittedFiles(db, batchId)).map((fileId) => ({ fileId }));
  return wakeJobs(await ctx.queues(), 'transcribe', pending);
}
