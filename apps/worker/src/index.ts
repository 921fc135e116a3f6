export { InFlightBudget, RateBudget } from './budget.ts';
export { CAP_RECHECK_MS, capFullKey } from './cap.ts';
export { assembleDeps, createWorkerDeps, keyPrefixOf, type WorkerDeps } from './deps.ts';
export {
  HEARTBEAT_MS,
  type HealthReport,
  type PauseRecord,
  readHealth,
  WORKER_STALE_MS,
  type WorkerBeat,
} from './health.ts';
export { buildPrompt, parseAnswer } from './prompt.ts';
export { type ReconcileReport, reconcile } from './reconcile.ts';
export { type StartOptions, startWorkers, type WorkerHandle, type WorkerRole } from './run.ts';
export { isAssemblyAiHost, type PipelineSettings, settingsFromEnv, WEBHOOK_PATH } from './settings.ts';
