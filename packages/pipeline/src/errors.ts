import { ApiError, AuthError, RateLimitError } from '@mediatag/assemblyai';
import { toError } from '@mediatag/errors';
import { InvalidPayloadError } from '@mediatag/queue';
import {
  DelayedError,
  type Job,
  type Queue,
  RateLimitError as QueueRateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
  WaitingError,
  Worker,
} from 'bullmq';

/** How a processor should treat a failure. */
export type Verdict =
  | { kind: 'permanent'; reason: string }
  | { kind: 'rate-limited'; waitMs: number; requestedMs?: number }
  | { kind: 'auth'; reason: string }
  | { kind: 'retry'; reason: string };

/** Classifies a thrown value where it arose: permanent, rate-limited, bad key, or worth retrying. */
export function classify(error: unknown): Verdict {
  if (error instanceof InvalidPayloadError) return { kind: 'permanent', reason: error.message };
  if (error instanceof RateLimitError) {
    const waitMs = error.retryAfterMs ?? 5000;
    // A Retry-After past the cap is logged with what the server asked for.
    return error.retryAfterRequestedMs === undefined
      ? { kind: 'rate-limited', waitMs }
      : { kind: 'rate-limited', waitMs, requestedMs: error.retryAfterRequestedMs };
  }
  if (error instanceof AuthError) return { kind: 'auth', reason: error.message };
  if (error instanceof ApiError) {
    return error.retryable
      ? { kind: 'retry', reason: error.message }
      : { kind: 'permanent', reason: error.message };
  }
  return { kind: 'retry', reason: toError(error).message };
}

/** True when BullMQ will not run this job again after a failure now. */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** Fails the job for good: BullMQ does not retry an UnrecoverableError. */
export function unrecoverable(reason: string): UnrecoverableError {
  return new UnrecoverableError(reason);
}

/** A rejected API key stops the queue for this long instead of failing every file. */
export const AUTH_PAUSE_MS = 60_000;

/**
 * Pauses a whole queue for `ms` and puts the current job back without using an attempt:
 * no job holds a worker slot while a budget or the API says wait.
 */
export async function pauseQueue(queue: Queue, ms: number): Promise<never> {
  await queue.rateLimit(Math.max(1, Math.ceil(ms)));
  throw Worker.RateLimitError();
}

/**
 * BullMQ's own control flow (a queue pause, a job moved to delayed): never a failure of the
 * work. A processor's catch rethrows these untouched; classifying one as an error would store
 * a failure for a file that is only waiting for its budget.
 */
export function isQueueControl(error: unknown): boolean {
  return (
    error instanceof QueueRateLimitError ||
    error instanceof DelayedError ||
    error instanceof WaitingError ||
    error instanceof WaitingChildrenError
  );
}

/** Checks the job again after `ms` without holding a worker slot or using an attempt. */
export async function later(job: Job, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), job.token);
  throw new DelayedError();
}
