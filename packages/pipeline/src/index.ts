export {
  type BatchItem,
  batchKeys,
  batchResponseFormat,
  buildBatchPrompt,
  checkBatchAnswer,
  type ItemVerdict,
} from './batch-prompt.ts';
export { InFlightBudget, RateBudget } from './budget.ts';
export { CAP_RECHECK_MS } from './cap.ts';
export { assembleDeps, createWorkerDeps, type WorkerDeps } from './deps.ts';
export { classify, type Verdict } from './errors.ts';
export { estimateTokens, makeExcerpt } from './excerpt.ts';
export {
  HEARTBEAT_MS,
  type HealthReport,
  type PauseRecord,
  readHealth,
  WORKER_STALE_MS,
  type WorkerBeat,
} from './health.ts';
export { costOf } from './ledger.ts';
export { modelFor } from './models.ts';
export { buildPrompt, buildRepairPrompt, type ParsedAnswer, parseAnswer } from './prompt.ts';
export { type ReconcileReport, reconcile } from './reconcile.ts';
export { type StartOptions, startWorkers, type WorkerHandle, type WorkerRole } from './run.ts';
export {
  type GatewayAuth,
  gatewayAuth,
  isAssemblyAiHost,
  type PipelineSettings,
  settingsFromEnv,
  type TaggingSettings,
  WEBHOOK_PATH,
} from './settings.ts';
export { apportion } from './tag-batch.ts';
