import {
  type BatchOutcome,
  type ClaimedFile,
  claimBatch,
  countReady,
  errorOutcome,
  releaseBatch,
  saveBatchOutcomes,
  saveTagOutcome,
  saveTranscriptText,
  type TagTarget,
} from '@mediatag/db';
import { toError } from '@mediatag/errors';
import type { Logger } from '@mediatag/logger';
import { promoteWhenDelayed } from '@mediatag/queue';
import type { Job } from 'bullmq';
import { batchKeys, batchResponseFormat, buildBatchPrompt, checkBatchAnswer } from './batch-prompt.ts';
import type { WorkerDeps } from './deps.ts';
import { later, pauseQueue } from './errors.ts';
import { estimateTokens, textRecord } from './excerpt.ts';
import { pauseTagging } from './gateway-pause.ts';
import { saveOrKeep } from './kept-answer.ts';
import { costOf, splitExactly } from './ledger.ts';
import { takeModel } from './models.ts';
import { onFailure } from './verdict.ts';

/** How long a batch waits in its worker for the per-model budget before pausing the queue. */
const TOKEN_WAIT_MS = 2000;

/** Tokens a file without a stored excerpt is assumed to take when sizing a batch. */
const UNKNOWN_EXCERPT_TOKENS = 4000;

/**
 * A batched request for the job's file and others of the same tag list. Files are leased in
 * Postgres (FOR UPDATE SKIP LOCKED), so concurrent jobs never ask for the same file; answers
 * are saved in one statement, so a crash between the request and the save costs at most that
 * one request again once the lease expires. An item that fails validation sends its file
 * alone through the single-file path; a file never receives another file's answer.
 */
export async function tagBatch(job: Job, deps: WorkerDeps, target: TagTarget, log: Logger): Promise<string> {
  const t = deps.settings.tagging;
  const now = target.now.getTime();
  if (target.leaseUntil && target.leaseUntil.getTime() > now) {
    // Another request holds this file: look again once it has answered or its lease ended.
    return later(job, Math.min(target.leaseUntil.getTime() - now + 100, 5000));
  }
  // A batch goes when full or once its oldest file has waited TAG_BATCH_WAIT_MS.
  const age = target.readyAt ? now - target.readyAt.getTime() : 0;
  if (age < t.waitMs && (target.ready ?? 0) < t.batchSize) {
    return later(job, t.waitMs - age);
  }
  // The request waits here for its turn in the per-model budget and then takes every file
  // ready by then: when the gateway's limit binds, each request of the minute goes full.
  const pick = await takeModel(deps, target.taxonomy, {
    maxWaitMs: TOKEN_WAIT_MS,
    wanted: async () => (await countReady(deps.db, target.taxonomyId, 1)) > 0,
  });
  if ('waitMs' in pick) return pauseQueue(deps.queues.tag, pick.waitMs);
  // Other requests took every waiting file meanwhile (this one's too): look again shortly.
  if ('unwanted' in pick) return later(job, 1000);

  const claimed = await claimBatch(deps.db, {
    fileId: target.fileId,
    taxonomyId: target.taxonomyId,
    limit: t.batchSize,
    leaseMs: t.leaseMs,
    maxTokens: t.maxTokens,
    unknownTokens: t.excerptTokens > 0 ? t.excerptTokens : UNKNOWN_EXCERPT_TOKENS,
  });
  const outcomes = claimed.length > 0 ? await ask(job, deps, target, pick.model, claimed, log) : [];
  const mine = outcomes.find((o) => o.fileId === target.fileId);
  // Not in this request (another one holds it), or to be asked for alone: the next run of
  // this job finds out which path the file takes now, without holding a worker slot.
  if (!mine || mine.status === 'solo') return later(job, mine ? 1 : 1000);
  return mine.status;
}

/** Sends one batched request and saves its answers; returns what each file got. */
async function ask(
  job: Job,
  deps: WorkerDeps,
  target: TagTarget,
  model: string,
  claimed: ClaimedFile[],
  log: Logger,
): Promise<BatchOutcome[]> {
  const texts = await textsOf(deps, claimed, log);
  const files: ClaimedFile[] = [];
  const solo: BatchOutcome[] = [];
  const items: Array<{ key: string; text: string }> = [];
  const keys = batchKeys(texts.filter((text) => text !== null).length);
  claimed.forEach((c, i) => {
    const text = texts[i];
    if (text == null) {
      solo.push(soloOutcome(c.fileId, 'transcript text could not be read for a batch'));
    } else {
      items.push({ key: keys[files.length] as string, text });
      files.push(c);
    }
  });
  if (files.length === 0) {
    await saveBatchOutcomes(deps.db, target.taxonomyId, { model, requestId: null, size: 0 }, solo);
    return solo;
  }
  const prompt = buildBatchPrompt(target.tags, items);
  let result: Awaited<ReturnType<typeof deps.gateway.chat>>;
  try {
    result = await deps.gateway.chat({
      model,
      messages: [{ role: 'user', content: prompt }],
      response_format: batchResponseFormat(target.tags, keys),
      max_tokens: 50 + 40 * files.length,
      temperature: 0,
      // A live request never outlives its lease: another worker may claim the files after it.
      signal: AbortSignal.timeout(Math.floor(deps.settings.tagging.leaseMs * 0.8)),
    });
  } catch (error) {
    await releaseBatch(
      deps.db,
      target.taxonomyId,
      claimed.map((c) => c.fileId),
    );
    return onFailure(job, error, {
      wait: (verdict) => pauseTagging(deps, verdict, model, log),
      // On the last attempt: the job's own file gets the error; the others are pending again.
      record: (reason) =>
        saveTagOutcome(deps.db, target.fileId, target.taxonomyId, errorOutcome(model, reason)),
      async instead(reason) {
        // The batched request itself was refused (e.g. too long for the model): each file is
        // asked for alone, where a refusal is stored against that file only.
        log.warn({ reason, files: claimed.length }, 'batched request refused; asking file by file');
        const all = claimed.map((c) => soloOutcome(c.fileId, `batched request refused: ${reason}`));
        await saveBatchOutcomes(deps.db, target.taxonomyId, { model, requestId: null, size: 0 }, all);
        return all;
      },
    });
  }

  const verdicts = checkBatchAnswer(result.content, keys, target.tags);
  const share = apportion(
    items.map((i) => i.text),
    prompt,
    result.usage,
  );
  const outcomes: BatchOutcome[] = verdicts.map((v, i) => {
    const spent = share[i] as { inputTokens: number; outputTokens: number };
    const base = {
      fileId: (files[i] as ClaimedFile).fileId,
      ...spent,
      costUsd: costOf(deps.settings.prices, spent.inputTokens, spent.outputTokens),
    };
    return v.ok
      ? { ...base, status: 'tagged', topic: v.topic, rawAnswer: v.raw, error: null }
      : { ...base, status: 'solo', topic: null, rawAnswer: v.raw, error: `batched answer: ${v.reason}` };
  });
  const all = [...outcomes, ...solo];
  const request = { model, requestId: result.requestId ?? null, size: files.length };
  const final = await saveOrKeep(
    job,
    { kind: 'batch', taxonomyId: target.taxonomyId, request, outcomes: all },
    () => saveBatchOutcomes(deps.db, target.taxonomyId, request, all),
    log,
  );
  deps.answered.add(target.taxonomyId, final);
  const failed = outcomes.filter((o) => o.status === 'solo').length;
  if (failed > 0)
    log.info({ failed, files: files.length }, 'batched answers failed validation; asking those alone');
  await wakeSoloJobs(deps, target, all, log);
  log.debug({ files: files.length, model, requestId: result.requestId }, 'tagged a batch');
  return all;
}

/**
 * The tag jobs of other files of this request wait (delayed) for its lease to end. A file
 * to be asked alone is woken now rather than when its job looks again: at the end of a
 * backlog those few files are all that is left to do. A job that is running right now (it
 * saw the lease a moment ago and is about to wait) is looked at again shortly.
 */
async function wakeSoloJobs(
  deps: WorkerDeps,
  target: TagTarget,
  all: BatchOutcome[],
  log: Logger,
): Promise<void> {
  const others = all.filter((o) => o.status === 'solo' && o.fileId !== target.fileId);
  const { errors } = await promoteWhenDelayed(
    deps.queues,
    'tag',
    others.map((o) => ({ fileId: o.fileId, taxonomyId: target.taxonomyId })),
  );
  // Promoted or finished meanwhile: such a job finds its way on its own.
  for (const err of errors) log.debug({ err: err.message }, 'could not wake a tag job');
}

function soloOutcome(fileId: number, reason: string): BatchOutcome {
  return {
    fileId,
    status: 'solo',
    topic: null,
    rawAnswer: null,
    error: reason,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };
}

/**
 * The text of each claimed file: its stored excerpt, else (STORE_TRANSCRIPTS=none, or a
 * transcript from before excerpts were kept) fetched from AssemblyAI within the request budget
 * and, unless nothing may be kept, stored for next time. Null for a file whose text cannot be
 * read: it is asked for alone, where the failure is recorded against it.
 */
async function textsOf(deps: WorkerDeps, claimed: ClaimedFile[], log: Logger): Promise<Array<string | null>> {
  const tagging = deps.settings.tagging;
  const out: Array<string | null> = [];
  for (const c of claimed) {
    if (c.excerpt !== null) {
      out.push(c.excerpt);
      continue;
    }
    try {
      for (let wait = await deps.apiRate.take(2000); wait > 0; wait = await deps.apiRate.take(2000)) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 2000)));
      }
      const transcript = await deps.aai.getTranscript(c.transcriptId);
      const record = textRecord(transcript.text ?? '', { ...tagging, store: 'excerpt' });
      if (record && tagging.store !== 'none') {
        await saveTranscriptText(deps.db, c.fileId, {
          ...record,
          fullText: tagging.store === 'full' ? (transcript.text ?? '') : null,
        });
      }
      out.push(record?.excerpt ?? '');
    } catch (error) {
      log.warn({ fileId: c.fileId, err: toError(error).message }, 'could not read a transcript for a batch');
      out.push(null);
    }
  }
  return out;
}

/**
 * Splits a request's tokens over its files: input by each file's share of the prompt (its own
 * text plus an equal part of the instructions and tag list), output equally. The shares add
 * up to exactly the request's usage, so the ledger's sums are what the gateway billed.
 */
export function apportion(
  texts: string[],
  prompt: string,
  usage: { inputTokens: number; outputTokens: number },
): Array<{ inputTokens: number; outputTokens: number }> {
  const own = texts.map(estimateTokens);
  const shared = Math.max(0, estimateTokens(prompt) - own.reduce((a, b) => a + b, 0)) / texts.length;
  const input = splitExactly(
    usage.inputTokens,
    own.map((n) => n + shared),
  );
  const output = splitExactly(
    usage.outputTokens,
    texts.map(() => 1),
  );
  return texts.map((_, i) => ({ inputTokens: input[i] ?? 0, outputTokens: output[i] ?? 0 }));
}
