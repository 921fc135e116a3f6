import type { Job } from 'bullmq';
import { classify, isLastAttempt, isQueueControl, unrecoverable, type Verdict } from './errors.ts';

/** A verdict that asks to wait rather than fail: a 429, or a rejected key. */
export type WaitVerdict = Extract<Verdict, { kind: 'rate-limited' | 'auth' }>;

/** What one processor does for each verdict; `onFailure` decides which applies, the same way for all. */
export interface FailureHandling<T> {
  /** The API asked to wait (429) or refused the key: pause the queue or delay the job. */
  wait(verdict: WaitVerdict): Promise<never>;
  /** Stores why the work failed for good: a permanent error, or a retryable one on its last attempt. */
  record(reason: string, cause: 'permanent' | 'last-attempt'): Promise<void>;
  /** A retryable failure, before BullMQ retries it (or, on the last attempt, fails it). */
  retrying?(reason: string): void;
  /** Instead of failing the job on a permanent error: another outcome (a refused batch is asked file by file). */
  instead?(reason: string): Promise<T>;
}

/**
 * The one answer of the `transcribe`, `poll` and `tag` processors to a thrown error. BullMQ's
 * control flow (a paused queue, a delayed job) is rethrown untouched: it is not a failed
 * attempt. Otherwise `classify` decides: wait → `handling.wait`; permanent → recorded, then
 * `UnrecoverableError` (no retries; an `InvalidPayloadError` is one); retryable → rethrown for
 * BullMQ's backoff, and recorded first when this was the last attempt, so a file never ends
 * failed in Redis with no reason in Postgres.
 */
export async function onFailure<T = never>(
  job: Job,
  error: unknown,
  handling: FailureHandling<T>,
): Promise<T> {
  if (isQueueControl(error)) throw error;
  const verdict = classify(error);
  switch (verdict.kind) {
    case 'rate-limited':
    case 'auth':
      return handling.wait(verdict);
    case 'permanent':
      if (handling.instead) return handling.instead(verdict.reason);
      await handling.record(verdict.reason, 'permanent');
      throw unrecoverable(verdict.reason);
    case 'retry':
      if (isLastAttempt(job)) await handling.record(verdict.reason, 'last-attempt');
      handling.retrying?.(verdict.reason);
      throw error;
  }
}
