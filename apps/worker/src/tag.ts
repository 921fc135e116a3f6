import type { ChatResult } from '@mediatag/gateway';
import { parsePayload } from '@mediatag/queue';
import type { Job } from 'bullmq';
import type { WorkerDeps } from './deps.ts';
import { AUTH_PAUSE_MS, classify, isLastAttempt, pauseQueue, unrecoverable } from './errors.ts';
import { buildPrompt, buildRepairPrompt, parseAnswer } from './prompt.ts';
import { loadTagTarget, saveTagOutcome, type TagOutcome } from './tag-store.ts';

/** One gateway call within the shared per-model budget. */
async function ask(
  deps: WorkerDeps,
  prompt: string,
  transcript: { id: string; text?: string },
): Promise<ChatResult> {
  const wait = await deps.llmRate.take(2000);
  if (wait > 0) return pauseQueue(deps.queues.tag, wait);
  return deps.gateway.chat({
    model: deps.settings.model,
    messages: [{ role: 'user', content: prompt }],
    max_tokens: 50,
    temperature: 0,
    ...(deps.settings.gatewayMode === 'transcript_id'
      ? { transcriptId: transcript.id }
      : { transcriptText: transcript.text ?? '' }),
  });
}

/**
 * The `tag` job: asks the LLM Gateway for the topic of one transcript from one taxonomy,
 * accepts only an answer that names exactly one tag (one stricter retry otherwise) and
 * stores topic or `unmatched` with the raw answer, the model and the tokens spent.
 */
export async function processTag(job: Job, deps: WorkerDeps): Promise<string> {
  const { fileId, taxonomyId } = parsePayload('tag', job.data);
  const log = deps.log.child({ module: 'tag', jobId: job.id, fileId, taxonomyId });
  const target = await loadTagTarget(deps.db, fileId, taxonomyId);
  if (!target) return 'missing';
  if (target.resultStatus === 'tagged' || target.resultStatus === 'unmatched') return 'already-tagged';
  if (target.transcriptStatus !== 'completed' || !target.transcriptId) return 'not-transcribed';

  const transcript: { id: string; text?: string } = { id: target.transcriptId };
  let outcome: TagOutcome;
  try {
    if (deps.settings.gatewayMode === 'inline') {
      // Another OpenAI-compatible endpoint cannot fetch the transcript: paste the text.
      const full = await deps.aai.getTranscript(target.transcriptId);
      transcript.text = full.text ?? '';
    }
    const first = await ask(deps, buildPrompt(target.tags), transcript);
    let result = first;
    let parsed = parseAnswer(first.content, target.tags);
    if (parsed.topic === null && deps.settings.repairUnmatched) {
      result = await ask(deps, buildRepairPrompt(target.tags, first.content), transcript);
      const again = parseAnswer(result.content, target.tags);
      if (again.topic !== null) parsed = again;
      else result = { ...result, content: `${first.content}\n---\n${result.content}` };
    }
    const tokens = (r: ChatResult) => r.usage;
    const spentIn = tokens(first).inputTokens + (result === first ? 0 : tokens(result).inputTokens);
    const spentOut = tokens(first).outputTokens + (result === first ? 0 : tokens(result).outputTokens);
    outcome = {
      status: parsed.topic === null ? 'unmatched' : 'tagged',
      topic: parsed.topic,
      rawAnswer: result.content,
      model: deps.settings.model,
      inputTokens: spentIn,
      outputTokens: spentOut,
      costUsd:
        (spentIn * deps.settings.prices.inputPerMTok + spentOut * deps.settings.prices.outputPerMTok) / 1e6,
      error: parsed.topic === null ? parsed.reason : null,
    };
  } catch (error) {
    const verdict = classify(error);
    switch (verdict.kind) {
      case 'rate-limited':
        log.warn({ waitMs: verdict.waitMs }, 'LLM Gateway rate limit: pausing tagging');
        return pauseQueue(deps.queues.tag, verdict.waitMs);
      case 'auth':
        log.error({ reason: verdict.reason }, 'LLM Gateway rejected the API key: pausing tagging');
        return pauseQueue(deps.queues.tag, AUTH_PAUSE_MS);
      case 'permanent':
        await saveTagOutcome(deps.db, fileId, taxonomyId, errorOutcome(deps, verdict.reason));
        throw unrecoverable(verdict.reason);
      case 'retry':
        if (isLastAttempt(job))
          await saveTagOutcome(deps.db, fileId, taxonomyId, errorOutcome(deps, verdict.reason));
        throw error;
    }
  }
  await saveTagOutcome(deps.db, fileId, taxonomyId, outcome);
  log.debug({ status: outcome.status, topic: outcome.topic }, 'tagged');
  return outcome.status;
}

function errorOutcome(deps: WorkerDeps, reason: string): TagOutcome {
  return {
    status: 'error',
    topic: null,
    rawAnswer: null,
    model: deps.settings.model,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    error: reason,
  };
}
