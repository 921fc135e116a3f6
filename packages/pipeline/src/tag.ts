import { NotFoundError } from '@mediatag/assemblyai';
import {
  errorOutcome,
  loadTagTarget,
  markTranscriptGone,
  saveTagOutcome,
  storedExcerpt,
  type TagOutcome,
  type TagTarget,
} from '@mediatag/db';
import { type ChatResult, injectTranscript } from '@mediatag/gateway';
import type { Logger } from '@mediatag/logger';
import { parsePayload } from '@mediatag/queue';
import type { Job } from 'bullmq';
import type { WorkerDeps } from './deps.ts';
import { pauseQueue } from './errors.ts';
import { pauseTagging } from './gateway-pause.ts';
import { saveKept, saveOrKeep } from './kept-answer.ts';
import { costOf } from './ledger.ts';
import { modelFor, takeModel } from './models.ts';
import { buildPrompt, buildRepairPrompt, parseAnswer } from './prompt.ts';
import { tagBatch } from './tag-batch.ts';
import { onFailure } from './verdict.ts';

/** A gateway answer and the model that gave it. */
type Asked = ChatResult & { model: string };

/** What the model reads: the transcript by id (the gateway fetches it) or a text we paste. */
type Source = { id: string } | { text: string };

/** One single-file gateway call within the shared per-model budget. */
async function ask(deps: WorkerDeps, taxonomy: string, prompt: string, source: Source): Promise<Asked> {
  let model = modelFor(deps.settings.models, taxonomy);
  if (deps.settings.spreadModels) {
    const pick = await takeModel(deps, taxonomy, { maxWaitMs: 2000 });
    if (!('model' in pick)) return pauseQueue(deps.queues.tag, 'waitMs' in pick ? pick.waitMs : 1);
    model = pick.model;
  } else {
    const wait = await (deps.llmRates.get(model) ?? deps.llmRate).take(2000);
    if (wait > 0) {
      await deps.health.quietly(deps.health.gatewayWait(model, wait, 'per-model request budget'));
      return pauseQueue(deps.queues.tag, wait);
    }
  }
  const messages = [{ role: 'user' as const, content: prompt }];
  const transcript =
    'id' in source
      ? { messages, transcriptId: source.id }
      : deps.settings.gatewayMode === 'inline'
        ? { messages, transcriptText: source.text }
        : // The gateway cannot fetch it (e.g. a transcript gone from AssemblyAI): paste it here.
          { messages: injectTranscript(messages, source.text) };
  const result = await deps.gateway.chat({ model, max_tokens: 50, temperature: 0, ...transcript });
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
  // Answered by a batched request of this process since the job was queued.
  if (deps.answered.has(fileId, taxonomyId)) return 'already-tagged';
  const { batchSize } = deps.settings.tagging;
  // Batched: the same statement says whether the batch is full yet.
  const target = await loadTagTarget(deps.db, fileId, taxonomyId, batchSize > 1 ? batchSize : 0);
  if (!target) return 'missing';
  if (target.resultStatus === 'tagged' || target.resultStatus === 'unmatched') return 'already-tagged';
  if (target.transcriptStatus !== 'completed' || !target.transcriptId) return 'not-transcribed';
  if (batchSize > 1 && !target.solo) return tagBatch(job, deps, target, log);
  return tagAlone(job, deps, target, log);
}

/**
 * One file, one request: the transcript goes by `transcript_id` (the gateway pastes its text
 * at `{{ transcript }}`); an answer that names no single tag is asked once more, strictly;
 * the result is topic or `unmatched` with the raw answer, the model and the tokens spent.
 */
async function tagAlone(job: Job, deps: WorkerDeps, target: TagTarget, log: Logger): Promise<string> {
  const { fileId, taxonomyId } = target;
  const model = modelFor(deps.settings.models, target.taxonomy);
  let outcome: TagOutcome;
  try {
    let source = await sourceOf(deps, target, log);
    if (source === null) return await goneWithoutExcerpt(deps, target, 'transcript id not found');
    const prompt = buildPrompt(target.tags);
    let first: Asked;
    try {
      first = await ask(deps, target.taxonomy, prompt, source);
    } catch (error) {
      // The gateway cannot resolve the id: AssemblyAI no longer has the transcript.
      if (!('id' in source) || !(error instanceof NotFoundError)) throw error;
      source = await goneSource(deps, target, log, error.message);
      if (source === null) return await goneWithoutExcerpt(deps, target, error.message);
      first = await ask(deps, target.taxonomy, prompt, source);
    }
    let result = first;
    let parsed = parseAnswer(first.content, target.tags);
    if (parsed.topic === null && deps.settings.repairUnmatched) {
      result = await ask(deps, target.taxonomy, buildRepairPrompt(target.tags, first.content), source);
      const again = parseAnswer(result.content, target.tags);
      if (again.topic !== null) parsed = again;
      else result = { ...result, content: `${first.content}\n---\n${result.content}` };
    }
    const asked = result === first ? [first] : [first, result];
    const charges = asked.map((a) => ({
      requestId: a.requestId ?? null,
      model: a.model,
      inputTokens: a.usage.inputTokens,
      outputTokens: a.usage.outputTokens,
      costUsd: costOf(deps.settings.prices, a.usage.inputTokens, a.usage.outputTokens),
    }));
    const spentIn = charges.reduce((n, c) => n + c.inputTokens, 0);
    const spentOut = charges.reduce((n, c) => n + c.outputTokens, 0);
    outcome = {
      status: parsed.topic === null ? 'unmatched' : 'tagged',
      topic: parsed.topic,
      rawAnswer: result.content,
      model: result.model,
      inputTokens: spentIn,
      outputTokens: spentOut,
      costUsd: charges.reduce((n, c) => n + c.costUsd, 0),
      error: parsed.topic === null ? parsed.reason : null,
      requestId: result.requestId ?? null,
      charges,
    };
  } catch (error) {
    return onFailure(job, error, {
      wait: (verdict) => pauseTagging(deps, verdict, model, log),
      record: (reason) => saveTagOutcome(deps.db, fileId, taxonomyId, errorOutcome(model, reason)),
    });
  }
  await saveOrKeep(
    job,
    { kind: 'single', outcome },
    () => saveTagOutcome(deps.db, fileId, taxonomyId, outcome),
    log,
  );
  deps.answered.add(taxonomyId, [fileId]);
  log.debug({ status: outcome.status, topic: outcome.topic }, 'tagged');
  return outcome.status;
}

/**
 * Where the model reads this file from: its transcript id, or (another endpoint, which cannot
 * fetch it) the text read from AssemblyAI; for a transcript known to be gone, its stored
 * excerpt. Null: gone and no excerpt stored.
 */
async function sourceOf(deps: WorkerDeps, target: TagTarget, log: Logger): Promise<Source | null> {
  const id = target.transcriptId as string;
  if (target.gone) return excerptSource(deps, target.fileId);
  if (deps.settings.gatewayMode !== 'inline') return { id };
  try {
    return { text: (await deps.aai.getTranscript(id)).text ?? '' };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return goneSource(deps, target, log, error.message);
  }
}

async function excerptSource(deps: WorkerDeps, fileId: number): Promise<Source | null> {
  const excerpt = await storedExcerpt(deps.db, fileId);
  return excerpt === null ? null : { text: excerpt };
}

/** Records that AssemblyAI no longer has the transcript and falls back to the stored excerpt. */
async function goneSource(
  deps: WorkerDeps,
  target: TagTarget,
  log: Logger,
  reason: string,
): Promise<Source | null> {
  await markTranscriptGone(deps.db, target.fileId);
  log.warn(
    { transcriptId: target.transcriptId, reason },
    'transcript gone from AssemblyAI; using the stored excerpt',
  );
  return excerptSource(deps, target.fileId);
}

/** Nothing left to tag from: the result says why and how to get a transcript again. */
async function goneWithoutExcerpt(deps: WorkerDeps, target: TagTarget, why: string): Promise<string> {
  const reason = `transcript ${target.transcriptId} is gone from AssemblyAI (${why}) and no excerpt of it is stored; \`mediatag retry --batch NAME --resubmit\` transcribes it again`;
  await saveTagOutcome(deps.db, target.fileId, target.taxonomyId, errorOutcome(null, reason));
  return 'gone';
}
