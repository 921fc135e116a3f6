import type { ChatResult } from '@mediatag/gateway';
import type { Logger } from '@mediatag/logger';
import { parsePayload } from '@mediatag/queue';
import type { Job } from 'bullmq';
import type { WorkerDeps } from './deps.ts';
import {
  AUTH_PAUSE_MS,
  classify,
  isLastAttempt,
  isQueueControl,
  pauseQueue,
  unrecoverable,
} from './errors.ts';
import { saveKept, saveOrKeep } from './kept-answer.ts';
import { modelFor, takeModel } from './models.ts';
import { buildPrompt, buildRepairPrompt, parseAnswer } from './prompt.ts';
import { tagBatch } from './tag-batch.ts';
import {
  costOf,
  errorOutcome,
  loadTagTarget,
  saveTagOutcome,
  type TagOutcome,
  type TagTarget,
} from './tag-store.ts';

/** A gateway answer and the model that gave it. */
type Asked = ChatResult & { model: string };

/** One single-file gateway call within the shared per-model budget. */
async function ask(
  deps: WorkerDeps,
  taxonomy: string,
  prompt: string,
  transcript: { id: string; text?: string },
): Promise<Asked> {
  let model = modelFor(deps.settings.models, taxonomy);
  if (deps.settings.spreadModels) {
    const pick = await takeModel(deps, taxonomy);
    if ('waitMs' in pick) return pauseQueue(deps.queues.tag, pick.waitMs);
    model = pick.model;
  } else {
    const wait = await (deps.llmRates.get(model) ?? deps.llmRate).take(2000);
    if (wait > 0) {
      await deps.health.quietly(deps.health.gatewayWait(model, wait, 'per-model request budget'));
      return pauseQueue(deps.queues.tag, wait);
    }
  }
  const result = await deps.gateway.chat({
    model,
    messages: [{ role: 'user', content: prompt }],
    max_tokens: 50,
    temperature: 0,
    ...(deps.settings.gatewayMode === 'transcript_id'
      ? { transcriptId: transcript.id }
      : { transcriptText: transcript.text ?? '' }),
  });
  return { ...result, model };
}

/**
 * The `tag` job: the topic of one transcript from one taxonomy. With TAG_BATCH_SIZE > 1 the
 * job asks for several waiting files of the same tag list in one request (tag-batch.ts);
 * with 1, or for a file whose batched answer failed validation, it asks for this file alone.
 */
export async function processTag(job: Job, deps: WorkerDeps): Promise<string> {
  const { fileId, taxonomyId } = parsePayload('tag', job.data);
  const log = deps.log.child({ module: 'tag', jobId: job.id, fileId, taxonomyId });
  // A retry after a failed save: the paid answer it carries is saved, not asked for again.
  await saveKept(job, deps, log);
  const target = await loadTagTarget(deps.db, fileId, taxonomyId);
  if (!target) return 'missing';
  if (target.resultStatus === 'tagged' || target.resultStatus === 'unmatched') return 'already-tagged';
  if (target.transcriptStatus !== 'completed' || !target.transcriptId) return 'not-transcribed';
  if (deps.settings.tagging.batchSize > 1 && !target.solo) return tagBatch(job, deps, target, log);
  return tagAlone(job, deps, target, log);
}

/**
 * One file, one request: the transcript goes by `transcript_id` (the gateway pastes its text
 * at `{{ transcript }}`); an answer that names no single tag is asked once more, strictly;
 * the result is topic or `unmatched` with the raw answer, the model and the tokens spent.
 */
async function tagAlone(job: Job, deps: WorkerDeps, target: TagTarget, log: Logger): Promise<string> {
  const { fileId, taxonomyId } = target;
  const transcriptId = target.transcriptId as string;
  const transcript: { id: string; text?: string } = { id: transcriptId };
  const model = modelFor(deps.settings.models, target.taxonomy);
  let outcome: TagOutcome;
  try {
    if (deps.settings.gatewayMode === 'inline') {
      // Another OpenAI-compatible endpoint cannot fetch the transcript: paste the text.
      const full = await deps.aai.getTranscript(transcriptId);
      transcript.text = full.text ?? '';
    }
    const first = await ask(deps, target.taxonomy, buildPrompt(target.tags), transcript);
    let result = first;
    let parsed = parseAnswer(first.content, target.tags);
    if (parsed.topic === null && deps.settings.repairUnmatched) {
      result = await ask(deps, target.taxonomy, buildRepairPrompt(target.tags, first.content), transcript);
      const again = parseAnswer(result.content, target.tags);
      if (again.topic !== null) parsed = again;
      else result = { ...result, content: `${first.content}\n---\n${result.content}` };
    }
    const spentIn = first.usage.inputTokens + (result === first ? 0 : result.usage.inputTokens);
    const spentOut = first.usage.outputTokens + (result === first ? 0 : result.usage.outputTokens);
    outcome = {
      status: parsed.topic === null ? 'unmatched' : 'tagged',
      topic: parsed.topic,
      rawAnswer: result.content,
      model: result.model,
      inputTokens: spentIn,
      outputTokens: spentOut,
      costUsd: costOf(deps.settings.prices, spentIn, spentOut),
      error: parsed.topic === null ? parsed.reason : null,
      requestId: result.requestId ?? null,
    };
  } catch (error) {
    // A paused queue or a delayed job is BullMQ's control flow, not a failed attempt.
    if (isQueueControl(error)) throw error;
    const verdict = classify(error);
    switch (verdict.kind) {
      case 'rate-limited':
        log.warn(
          { waitMs: verdict.waitMs, requestedMs: verdict.requestedMs },
          'LLM Gateway rate limit: pausing tagging',
        );
        await deps.health.quietly(deps.health.gatewayWait(model, verdict.waitMs, 'the gateway answered 429'));
        return pauseQueue(deps.queues.tag, verdict.waitMs);
      case 'auth':
        log.error({ reason: verdict.reason }, 'LLM Gateway rejected the API key: pausing tagging');
        await deps.health.quietly(deps.health.keyRejected('gateway', verdict.reason, AUTH_PAUSE_MS));
        return pauseQueue(deps.queues.tag, AUTH_PAUSE_MS);
      case 'permanent':
        await saveTagOutcome(deps.db, fileId, taxonomyId, errorOutcome(model, verdict.reason));
        throw unrecoverable(verdict.reason);
      case 'retry':
        if (isLastAttempt(job))
          await saveTagOutcome(deps.db, fileId, taxonomyId, errorOutcome(model, verdict.reason));
        throw error;
    }
  }
  await saveOrKeep(
    job,
    { kind: 'single', outcome },
    () => saveTagOutcome(deps.db, fileId, taxonomyId, outcome),
    log,
  );
  log.debug({ status: outcome.status, topic: outcome.topic }, 'tagged');
  return outcome.status;
}
