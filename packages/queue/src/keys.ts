import type { QueueName } from './catalog.ts';

/**
 * Every Redis key of one deployment, by QUEUE_PREFIX: the one place a key name is spelled.
 * The names are part of running deployments (a renamed key loses its budget, its heartbeats,
 * its in-flight set), so they never change; docs/ARCHITECTURE.md lists them. Each starts with
 * QUEUE_PREFIX, so on a Redis Cluster (prefix `{name}`) all hash to the queues' slot and a
 * script may touch the in-flight set and a queue's limiter key together (invariant 15).
 */
export function redisKeys(queuePrefix: string) {
  // mediatag's own keys, beside BullMQ's `<prefix>:<queue>:…`.
  const own = `${queuePrefix}:mediatag`;
  return {
    /** QUEUE_PREFIX itself: BullMQ keeps a queue's keys under `<prefix>:<queue>:`. */
    queuePrefix,
    /** Matches every key of the deployment, BullMQ's and mediatag's (clean-up, tests). */
    all: `${queuePrefix}:*`,
    /** BullMQ's queue-wide pause (`Queue.rateLimit`); deleting it resumes the queue at once. */
    limiter: (queue: QueueName) => `${queuePrefix}:${queue}:limiter`,
    /** BullMQ's wake-up marker of a queue: a worker blocked waiting for jobs wakes when it is set. */
    marker: (queue: QueueName) => `${queuePrefix}:${queue}:marker`,
    /** Sorted set: files submitted and not finished (invariant 5), score = Redis time taken. */
    inflight: `${own}:inflight`,
    /** GCRA state of the AssemblyAI account's REST request budget. */
    assemblyaiRate: `${own}:rate:assemblyai`,
    /** GCRA state of the gateway's request budget of one model. */
    llmRate: (model: string) => `${own}:rate:llm:${model}`,
    /** Marker a reconcile leaves; missing means Redis lost its data. */
    epoch: `${own}:epoch`,
    /** One reconcile at a time across processes. */
    reconcileLock: `${own}:reconcile-lock`,
    /** One completion sweep (a list of the account's newest transcripts) at a time across processes. */
    sweepLock: `${own}:sweep-lock`,
    /** A batch found at its spending cap (JSON of its spend), for a few seconds. */
    capFull: (batchId: number) => `${own}:cap-full:${batchId}`,
    /** Heartbeats and pause records `mediatag status` reads. */
    health: {
      /** Sorted set: heartbeat time per `host:pid`. */
      seen: `${own}:health:seen`,
      /** Hash: each process's role, start time, throttled count. */
      workers: `${own}:health:workers`,
      /** The last rejected-key pause. */
      keyRejected: `${own}:health:key-rejected`,
      /** The last wait for the gateway's per-model limit. */
      gatewayWait: `${own}:health:gateway-wait`,
    },
    /** Hash of the request counters every worker adds to. */
    metrics: `${own}:metrics`,
  } as const;
}

/** The keys of one deployment (see `redisKeys`). */
export type RedisKeys = ReturnType<typeof redisKeys>;
/** The heartbeat and pause-record keys. */
export type HealthKeys = RedisKeys['health'];
