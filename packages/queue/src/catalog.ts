import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';

/**
 * The job catalog shared by producer and workers: queue name → payload schema. Payloads
 * carry ids only; everything else is read from Postgres, the system of record, so a job
 * rebuilt by `reconcile` is identical to the one the producer added.
 */
export const catalog = {
  /** Submit a file to AssemblyAI (gated by the in-flight budget), or hand it to `poll` if already submitted. */
  transcribe: z.object({ fileId: z.number().int().positive() }).strict(),
  /** Check a submitted transcript; the job delays itself until the transcript is final. */
  poll: z
    .object({
      fileId: z.number().int().positive(),
      // ms after submission of the previous check, so the schedule learns when it finished.
      lastCheckMs: z.number().nonnegative().optional(),
      // Set by the submission that bought the transcript, so a check need not read the file
      // first: its id, when it was submitted (epoch ms) and whether it was seen processing.
      // A check without them (reconcile, a webhook's or the sweep's re-added job) reads the file.
      transcriptId: z.string().min(1).max(200).optional(),
      submittedAt: z.number().int().nonnegative().optional(),
      processing: z.literal(true).optional(),
    })
    .strict(),
  /** Ask the LLM Gateway for the file's topic from one taxonomy version. */
  tag: z
    .object({
      fileId: z.number().int().positive(),
      taxonomyId: z.number().int().positive(),
      // A paid answer kept with the job until Postgres has it: when saving fails, the retry
      // saves this instead of asking (and paying) again. The only payload that is not ids.
      answer: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
} as const;

export type QueueName = keyof typeof catalog;
export type Payload<Q extends QueueName> = z.output<(typeof catalog)[Q]>;
export const QUEUE_NAMES = Object.keys(catalog) as QueueName[];

/**
 * A payload that fails validation can never succeed: as an `UnrecoverableError`, BullMQ fails
 * the job at once, without its retries, wherever a processor throws it.
 */
export class InvalidPayloadError extends UnrecoverableError {
  override readonly name = 'InvalidPayloadError';
}

/** Validates an untrusted payload (data in Redis is input like any other). */
export function parsePayload<Q extends QueueName>(queue: Q, data: unknown): Payload<Q> {
  const result = catalog[queue].safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidPayloadError(
      `invalid ${queue} payload: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown'}`,
    );
  }
  return result.data as Payload<Q>;
}

/**
 * Deterministic job ids make enqueueing idempotent while the job record exists. BullMQ
 * forbids ':' and all-digit ids, hence the prefixes.
 */
export const jobIds = {
  transcribe: (p: Payload<'transcribe'>) => `tx-${p.fileId}`,
  poll: (p: Payload<'poll'>) => `poll-${p.fileId}`,
  tag: (p: Payload<'tag'>) => `tag-${p.fileId}-${p.taxonomyId}`,
} satisfies { [Q in QueueName]: (p: Payload<Q>) => string };
