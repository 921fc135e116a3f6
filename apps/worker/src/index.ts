export { InFlightBudget, RateBudget } from './budget.ts';
export { assembleDeps, createWorkerDeps, keyPrefixOf, type WorkerDeps } from './deps.ts';
export { buildPrompt, parseAnswer } from './prompt.ts';
export { type ReconcileReport, reconcile } from './reconcile.ts';
export { type StartOptions, startWorkers, type WorkerHandle, type WorkerRole } from './run.ts';
export { isAssemblyAiHost, type PipelineSettings, settingsFromEnv, WEBHOOK_PATH } from './settings.ts';
