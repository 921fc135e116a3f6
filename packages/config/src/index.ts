export { ConfigError, parseEnv } from './parse.ts';
export {
  apiEnv,
  baseEnv,
  type CliEnv,
  cliEnvSchema,
  type ServeEnv,
  serveEnvSchema,
  type WorkerEnv,
  workerEnvSchema,
} from './schemas.ts';
