import type { WorkerDeps } from './deps.ts';

/**
 * The model that tags a tag list when models are not spread: the same one every time for
 * the same list (labels from different models can differ), lists spread over the models.
 */
export function modelFor(models: readonly string[], taxonomy: string): string {
  if (models.length <= 1) return models[0] as string;
  let h = 2166136261;
  for (let i = 0; i < taxonomy.length; i++) h = Math.imul(h ^ taxonomy.charCodeAt(i), 16777619) >>> 0;
  return models[h % models.length] as string;
}

/**
 * Takes one request of a model's per-model budget: the list's own model, or with
 * LLM_SPREAD_MODELS the first model that has one free. Returns the ms until one is free when
 * none is.
 */
export async function takeModel(
  deps: WorkerDeps,
  taxonomy: string,
): Promise<{ model: string } | { waitMs: number }> {
  const { models, spreadModels } = deps.settings;
  const candidates = spreadModels ? models : [modelFor(models, taxonomy)];
  let waitMs = Number.POSITIVE_INFINITY;
  for (const model of candidates) {
    const wait = await (deps.llmRates.get(model) ?? deps.llmRate).reserve();
    if (wait === 0) return { model };
    waitMs = Math.min(waitMs, wait);
  }
  await deps.health.quietly(
    deps.health.gatewayWait(candidates.join(', '), waitMs, 'per-model request budget'),
  );
  return { waitMs };
}
