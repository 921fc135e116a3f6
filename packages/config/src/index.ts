export { ConfigError, parseEnv } from './parse.ts';
export {
  describeRedisUrl,
  hashTagOf,
  isClusterUrl,
  parseRedisUrl,
  type RedisNode,
  type RedisTarget,
} from './redis-url.ts';
export {
  apiEnv,
  baseEnv,
  type CliEnv,
  cliEnvSchema,
  type ServeEnv,
  serveEnv,
  serveEnvSchema,
  type WorkerEnv,
  workerEnvSchema,
} from './schemas.ts';
