export {
  catalog,
  InvalidPayloadError,
  jobIds,
  type Payload,
  parsePayload,
  QUEUE_NAMES,
  type QueueName,
} from './catalog.ts';
export {
  type ConnectionRole,
  checkRedis,
  createRedis,
  duplicateRedis,
  isCluster,
  masters,
  type RedisClient,
} from './connection.ts';
export { type HealthKeys, type RedisKeys, redisKeys } from './keys.ts';
export { transcribeOptions, transcribePriority } from './priority.ts';
export {
  type AddOptions,
  addJobs,
  BULK_CHUNK,
  createQueues,
  defaultJobOptions,
  ensureJobs,
  type JobOptionsFor,
  type Queues,
  schedulePoll,
} from './queues.ts';
export { promoteWhenDelayed, type WakeOutcome, wakeJobs, wakePoll } from './wake.ts';
