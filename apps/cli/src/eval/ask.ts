// Asking the gateway for an evaluation exactly as the tag workers do: several files per request
// under the batched prompt and schema, each item checked on its own and a failed one asked
// alone; one file alone by transcript_id with the single prompt, parseAnswer and one stricter
// repair. Nothing here writes tag_results.
import type { AssemblyAIClient } from '@mediatag/assemblyai';
import type { EvalAnswer, Tag } from '@mediatag/db';
import type { GatewayClient } from '@mediatag/gateway';
import {
  apportion,
  batchKeys,
  batchResponseFormat,
  buildBatchPrompt,
  buildPrompt,
  buildRepairPrompt,
  checkBatchAnswer,
  classify,
  costOf,
  type PipelineSettings,
  parseAnswer,
  type RateBudget,
} from '@mediatag/pipeline';

/** One file's answer under one configuration, with its share of what it cost (as eval_answers stores it). */
export type Answer = EvalAnswer;

/** What asking needs: the clients, the shared per-model budget, and a way to say it waits. */
export interface AskDeps {
  gateway: GatewayClient;
  aai: AssemblyAIClient;
  llmRate: RateBudget;
  settings: PipelineSettings;
  model: string;
  tags: Tag[];
  /** Called when the shared budget makes a request wait this many ms. */
  onWait?: (ms: number) => void;
  /** Counts every gateway request actually sent. */
  sent: { requests: number };
}

const ATTEMPTS = 3;

/** Waits for one request of the model's budget, shared with running workers through Redis. */
async function takeBudget(deps: AskDeps): Promise<void> {
  for (;;) {
    const wait = await deps.llmRate.reserve();
    if (wait === 0) return;
    deps.onWait?.(wait);
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5000)));
  }
}

/**
 * One gateway call within the budget. A 429 waits what the gateway said and tries again; other
 * retryable failures (the client has retried them already) get ATTEMPTS tries in all.
 */
async function chat(deps: AskDeps, params: Parameters<GatewayClient['chat']>[0]) {
  for (let attempt = 1; ; attempt++) {
    await takeBudget(deps);
    deps.sent.requests += 1;
    try {
      return await deps.gateway.chat(params);
    } catch (error) {
      const verdict = classify(error);
      if (verdict.kind === 'rate-limited' && attempt < ATTEMPTS * 3) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(verdict.waitMs, 60_000)));
        continue;
      }
      if (verdict.kind === 'retry' && attempt < ATTEMPTS) continue;
      throw error;
    }
  }
}

function failed(deps: AskDeps, fileId: number, error: unknown, spent: Partial<Answer> = {}): Answer {
  return {
    fileId,
    status: 'error',
    topic: null,
    rawAnswer: null,
    error: classify(error).kind === 'permanent' ? classifyReason(error) : `gave up: ${classifyReason(error)}`,
    model: deps.model,
    requestId: null,
    batchSize: 1,
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    ...spent,
  };
}

function classifyReason(error: unknown): string {
  const v = classify(error);
  return 'reason' in v ? v.reason : `rate limited (${v.waitMs} ms)`;
}

/** One file alone: the single-file prompt by transcript_id (or the pasted text), one repair. */
export async function askAlone(
  deps: AskDeps,
  file: { fileId: number; transcriptId: string },
  fullText: () => Promise<string>,
): Promise<Answer> {
  const { settings, tags, model } = deps;
  try {
    const transcript =
      settings.gatewayMode === 'transcript_id'
        ? { transcriptId: file.transcriptId }
        : { transcriptText: await fullText() };
    const ask = (prompt: string) =>
      chat(deps, {
        model,
        messages: [{ role: 'user', content: prompt }],
        max_tokens: 50,
        temperature: 0,
        ...transcript,
      });
    const first = await ask(buildPrompt(tags));
    let last = first;
    let parsed = parseAnswer(first.content, tags);
    let requests = 1;
    if (parsed.topic === null && settings.repairUnmatched) {
      last = await ask(buildRepairPrompt(tags, first.content));
      requests += 1;
      const again = parseAnswer(last.content, tags);
      if (again.topic !== null) parsed = again;
      else last = { ...last, content: `${first.content}\n---\n${last.content}` };
    }
    const inputTokens = first.usage.inputTokens + (last === first ? 0 : last.usage.inputTokens);
    const outputTokens = first.usage.outputTokens + (last === first ? 0 : last.usage.outputTokens);
    return {
      fileId: file.fileId,
      status: parsed.topic === null ? 'unmatched' : 'tagged',
      topic: parsed.topic,
      rawAnswer: last.content,
      error: parsed.topic === null ? parsed.reason : null,
      model,
      requestId: last.requestId ?? null,
      batchSize: 1,
      requests,
      inputTokens,
      outputTokens,
      costUsd: costOf(settings.prices, inputTokens, outputTokens),
    };
  } catch (error) {
    return failed(deps, file.fileId, error);
  }
}

/** A file of a batched request: its id, transcript and the excerpt it is tagged by. */
export interface BatchFile {
  fileId: number;
  transcriptId: string;
  text: string;
}

/**
 * One batched request for `files`: the worker's prompt, schema and per-item check. An item
 * that fails the check, or every item when the request itself is refused, is asked alone;
 * its answer carries the batched share it already cost.
 */
export async function askBatch(
  deps: AskDeps,
  files: BatchFile[],
  fullText: (fileId: number, transcriptId: string) => Promise<string>,
): Promise<Answer[]> {
  const { settings, tags, model } = deps;
  const keys = batchKeys(files.length);
  const prompt = buildBatchPrompt(
    tags,
    files.map((f, i) => ({ key: keys[i] as string, text: f.text })),
  );
  const alone = (f: BatchFile, spent: { inputTokens: number; outputTokens: number; requests: number }) =>
    askAlone(deps, f, () => fullText(f.fileId, f.transcriptId)).then((a) => ({
      ...a,
      requests: a.requests + spent.requests,
      inputTokens: a.inputTokens + spent.inputTokens,
      outputTokens: a.outputTokens + spent.outputTokens,
      costUsd: a.costUsd + costOf(settings.prices, spent.inputTokens, spent.outputTokens),
    }));
  let result: Awaited<ReturnType<typeof chat>>;
  try {
    result = await chat(deps, {
      model,
      messages: [{ role: 'user', content: prompt }],
      response_format: batchResponseFormat(tags, keys),
      max_tokens: 50 + 40 * files.length,
      temperature: 0,
    });
  } catch (error) {
    if (classify(error).kind !== 'permanent') return files.map((f) => failed(deps, f.fileId, error));
    // Refused as a whole (e.g. too long for the model): each file alone, as the workers do.
    const out: Answer[] = [];
    for (const f of files) out.push(await alone(f, { inputTokens: 0, outputTokens: 0, requests: 0 }));
    return out;
  }
  const verdicts = checkBatchAnswer(result.content, keys, tags);
  const share = apportion(
    files.map((f) => f.text),
    prompt,
    result.usage,
  );
  const out: Answer[] = [];
  for (const [i, v] of verdicts.entries()) {
    const f = files[i] as BatchFile;
    const spent = {
      ...(share[i] as { inputTokens: number; outputTokens: number }),
      requests: 1 / files.length,
    };
    if (!v.ok) {
      out.push(await alone(f, spent));
      continue;
    }
    out.push({
      fileId: f.fileId,
      status: 'tagged',
      topic: v.topic,
      rawAnswer: v.raw,
      error: null,
      model,
      requestId: result.requestId ?? null,
      batchSize: files.length,
      ...spent,
      costUsd: costOf(settings.prices, spent.inputTokens, spent.outputTokens),
    });
  }
  return out;
}
