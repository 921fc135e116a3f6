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

/** How long a request may wait here for its budget before the queue pauses instead. */
export interface TakeOptions {
  /** Waits up to this long (ms) in this process for a request to be allowed (default 0). */
  maxWaitMs?: number;
  /**
   * Asked before each try: false when the request is no longer needed (another request took
   * the files meanwhile), so no request of the budget is spent on nothing.
   */
  wanted?: () => Promise<boolean>;
}

/**
 * Takes one request of a model's per-model budget: the list's own model, or with
 * LLM_SPREAD_MODELS the first model that has one free. Waits up to `maxWaitMs` for one (a
 * request goes the moment the budget allows it, so every request of the minute is used);
 * returns the ms until one is free when that is longer, or `unwanted` when `wanted` says the
 * request is no longer needed.
 */
export async function takeModel(
  deps: WorkerDeps,
  taxonomy: string,
  options: TakeOptions = {},
): Promise<{ model: string } | { waitMs: number } | { unwanted: true }> {
  const { models, spreadModels } = deps.settings;
  const candidates = spreadModels ? models : [modelFor(models, taxonomy)];
  const deadline = Date.now() + (options.maxWaitMs ?? 0);
  for (;;) {
    if (options.wanted && !(await options.wanted())) return { unwanted: true };
    let waitMs = Number.POSITIVE_INFINITY;
    for (const model of candidates) {
      const wait = await (deps.llmRates.get(model) ?? deps.llmRate).reserve();
      if (wait === 0) return { model };
      waitMs = Math.min(waitMs, wait);
    }
    if (Date.now() + waitMs > deadline) {
      await deps.health.quietly(
        deps.health.gatewayWait(candidates.join(', '), waitMs, 'per-model request budget'),
      );
      return { waitMs };
    }
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
