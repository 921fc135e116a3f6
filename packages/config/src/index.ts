export { ConfigError, parseEnv } from './parse.ts';
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
