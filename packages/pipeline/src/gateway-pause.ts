import type { Logger } from '@mediatag/logger';
import type { WorkerDeps } from './deps.ts';
import { AUTH_PAUSE_MS, pauseQueue } from './errors.ts';
import type { WaitVerdict } from './verdict.ts';

/**
 * The gateway said wait (429) or refused the key (401/403): pause the whole tag queue, record
 * why where `mediatag status` reads it, and put the job back without using an attempt.
 */
export async function pauseTagging(
  deps: WorkerDeps,
  verdict: WaitVerdict,
  model: string,
  log: Logger,
): Promise<never> {
  if (verdict.kind === 'rate-limited') {
    log.warn(
      { waitMs: verdict.waitMs, requestedMs: verdict.requestedMs, model },
      'LLM Gateway rate limit: pausing tagging',
    );
    await deps.health.quietly(deps.health.gatewayWait(model, verdict.waitMs, 'the gateway answered 429'));
    return pauseQueue(deps.queues.tag, verdict.waitMs);
  }
  log.error({ reason: verdict.reason }, 'LLM Gateway rejected the API key: pausing tagging');
  await deps.health.quietly(deps.health.keyRejected('gateway', verdict.reason, AUTH_PAUSE_MS));
  return pauseQueue(deps.queues.tag, AUTH_PAUSE_MS);
}
