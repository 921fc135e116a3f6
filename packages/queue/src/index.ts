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
export { transcribeOptions, transcribePriority } from './priority.ts';
export {
  addJobs,
  BULK_CHUNK,
  createQueues,
  defaultJobOptions,
  ensureJobs,
  type JobOptionsFor,
  type Queues,
} from './queues.ts';
