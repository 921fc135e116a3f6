import { type JobsOptions, Queue } from 'bullmq';
import { jobIds, type Payload, type QueueName } from './catalog.ts';
import type { RedisClient } from './connection.ts';

/**
 * Default job options: retries with backoff for transient failures. A completed job is
 * removed at once so its deterministic id is free again (a file retried later must be able
 * to get a new poll job); every processor checks Postgres first, so a re-added id never
 * repeats paid work. Failed jobs stay a while for inspection; `ensureJobs` replaces them.
 */
export const defaultJobOptions: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: true,
  removeOnFail: { count: 5000 },
};

/** The project's queues under one prefix (tests pass a random prefix to isolate themselves). */
export interface Queues {
  transcribe: Queue<Payload<'transcribe'>>;
  poll: Queue<Payload<'poll'>>;
  tag: Queue<Payload<'tag'>>;
  prefix: string;
  close(): Promise<void>;
}

/** Opens the three queues on a shared connection. */
export function createQueues(connection: RedisClient, prefix: string): Queues {
  const transcribe = new Queue<Payload<'transcribe'>>('transcribe', {
    connection,
    prefix,
    defaultJobOptions,
  });
  const poll = new Queue<Payload<'poll'>>('poll', { connection, prefix, defaultJobOptions });
  const tag = new Queue<Payload<'tag'>>('tag', { connection, prefix, defaultJobOptions });
  return {
    transcribe,
    poll,
    tag,
    prefix,
    async close() {
      await Promise.all([transcribe.close(), poll.close(), tag.close()]);
    },
  };
}

/** `addBulk` is all-or-nothing per call; chunks keep each Redis round trip bounded. */
export const BULK_CHUNK = 1000;

/** Job options a caller may set; the id is always the catalog's (`jobIds`). */
export type AddOptions = Omit<JobsOptions, 'jobId'>;

/** Options for every job of a call, or per payload (e.g. a transcribe job's priority). */
export type JobOptionsFor<Q extends QueueName> = AddOptions | ((payload: Payload<Q>) => AddOptions);

/** The queue of a catalog name, typed by its payload (within this package). */
export function queueOf<Q extends QueueName>(queues: Queues, name: Q): Queue<Payload<Q>> {
  return queues[name] as unknown as Queue<Payload<Q>>;
}

/**
 * The one way a job is added: to the queue of `name`, with the payload the catalog defines
 * and its deterministic id, in chunks. An id already present is left alone by BullMQ, so
 * adding twice is harmless. Postgres rows come first (invariant 13).
 */
export async function addJobs<Q extends QueueName>(
  queues: Queues,
  name: Q,
  payloads: Payload<Q>[],
  opts: JobOptionsFor<Q> = {},
): Promise<void> {
  const idOf = jobIds[name] as (p: Payload<Q>) => string;
  const optsOf = typeof opts === 'function' ? opts : () => opts;
  for (let i = 0; i < payloads.length; i += BULK_CHUNK) {
    const chunk = payloads.slice(i, i + BULK_CHUNK);
    // biome-ignore lint/suspicious/noExplicitAny: BullMQ's addBulk name/data generics do not narrow per queue
    await (queueOf(queues, name) as Queue<any>).addBulk(
      chunk.map((data) => ({ name, data, opts: { ...optsOf(data), jobId: idOf(data) } })),
    );
  }
}

/**
 * Schedules the check of a submitted transcript in `delayMs` (its `poll` job, delayed). The
 * submission passes the transcript it just bought, which the check then need not read.
 */
export async function schedulePoll(
  queues: Queues,
  fileId: number,
  delayMs: number,
  submitted?: { transcriptId: string; submittedAt: number },
): Promise<void> {
  await addJobs(queues, 'poll', [{ fileId, ...submitted }], { delay: delayMs });
}

/**
 * Makes sure each payload has a live job: adds the missing ones and re-adds those whose
 * record ended (completed or failed) although Postgres says the work is still to do. Live
 * jobs (waiting, delayed, active) are left alone. Returns how many were (re)added.
 */
export async function ensureJobs<Q extends QueueName>(
  queues: Queues,
  name: Q,
  payloads: Payload<Q>[],
  opts: JobOptionsFor<Q> = {},
): Promise<number> {
  const queue = queueOf(queues, name);
  const idOf = jobIds[name] as (p: Payload<Q>) => string;
  let added = 0;
  for (let i = 0; i < payloads.length; i += BULK_CHUNK) {
    const chunk = payloads.slice(i, i + BULK_CHUNK);
    const states = await Promise.all(chunk.map((p) => queue.getJobState(idOf(p))));
    const ended = chunk.filter((_, j) => states[j] === 'failed' || states[j] === 'completed');
    await Promise.all(ended.map((p) => queue.remove(idOf(p))));
    const missing = chunk.filter(
      (_, j) => states[j] === 'unknown' || states[j] === 'failed' || states[j] === 'completed',
    );
    if (missing.length) await addJobs(queues, name, missing, opts);
    added += missing.length;
  }
  return added;
}
