// One evaluation: for each configuration, the answers already stored under its key (unless
// --fresh), a plan of what is left to ask, then the asking and the rows in eval_runs /
// eval_answers. The batch's own results (tag_results) are never read for answers nor written.
import { randomUUID } from 'node:crypto';
import type { AssemblyAIClient } from '@mediatag/assemblyai';
import { type Db, type StoredText, saveEvalRun, storedEvalAnswers, type Tag } from '@mediatag/db';
import type { GatewayClient } from '@mediatag/gateway';
import { costOf, estimateTokens, makeExcerpt, type RateBudget } from '@mediatag/pipeline';
import { type Answer, askAlone, askBatch, type BatchFile } from './ask.ts';
import type { EffectiveConfig } from './config.ts';

/** A file under evaluation: a completed transcript, and its hand label in labels mode. */
export interface EvalFile {
  fileId: number;
  url: string;
  transcriptId: string;
  expected: string | null;
}

/** One configuration's work: answers it can re-use and files it must ask for. */
export interface ConfigPlan {
  config: EffectiveConfig;
  reused: Map<number, Answer>;
  toAsk: EvalFile[];
  /** Estimated gateway requests and USD for `toAsk` (repairs and re-asks not counted). */
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Tokens assumed for a transcript whose length is unknown (no stored text). */
const UNKNOWN_TRANSCRIPT_TOKENS = 4000;
/** Output tokens of one answer (a tag name, or one {key, topic} item). */
const ANSWER_TOKENS = 12;

/** True when a configuration tags by the stored excerpt (it keeps the current TAG_EXCERPT_TOKENS). */
function usesStoredExcerpt(config: EffectiveConfig, currentExcerptTokens: number): boolean {
  return config.settings.tagging.excerptTokens === currentExcerptTokens;
}

/** Estimated tokens of a file's text under a configuration. */
function textTokens(config: EffectiveConfig, stored: StoredText | undefined, currentExcerpt: number): number {
  const t = config.settings.tagging;
  if (t.batchSize === 1) return stored?.fullTokens ?? UNKNOWN_TRANSCRIPT_TOKENS;
  if (stored && usesStoredExcerpt(config, currentExcerpt)) return stored.excerptTokens;
  const full = stored?.fullTokens ?? UNKNOWN_TRANSCRIPT_TOKENS;
  return t.excerptTokens > 0 ? Math.min(full, t.excerptTokens) : full;
}

/** Splits files into requests: up to batchSize each, within maxTokens (the first always goes). */
export function groupRequests<T>(
  items: T[],
  tokens: (item: T) => number,
  size: number,
  maxTokens: number,
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let sum = 0;
  for (const item of items) {
    const n = tokens(item);
    if (current.length > 0 && (current.length >= size || sum + n > maxTokens)) {
      groups.push(current);
      current = [];
      sum = 0;
    }
    current.push(item);
    sum += n;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Plans every configuration: what is re-used, what is asked, and what that is estimated to cost. */
export async function planEval(
  db: Db,
  configs: EffectiveConfig[],
  files: EvalFile[],
  texts: Map<number, StoredText>,
  opts: { fresh: boolean; currentExcerptTokens: number; promptTokens: (c: EffectiveConfig) => number },
): Promise<ConfigPlan[]> {
  const ids = files.map((f) => f.fileId);
  const plans: ConfigPlan[] = [];
  for (const config of configs) {
    const reused = opts.fresh ? new Map<number, Answer>() : await storedEvalAnswers(db, config.key, ids);
    const toAsk = files.filter((f) => !reused.has(f.fileId));
    const t = config.settings.tagging;
    const tokensOf = (f: EvalFile) => textTokens(config, texts.get(f.fileId), opts.currentExcerptTokens);
    const groups =
      t.batchSize === 1 ? toAsk.map((f) => [f]) : groupRequests(toAsk, tokensOf, t.batchSize, t.maxTokens);
    const inputTokens = groups.reduce(
      (sum, g) => sum + opts.promptTokens(config) + g.reduce((s, f) => s + tokensOf(f), 0),
      0,
    );
    const outputTokens = toAsk.length * ANSWER_TOKENS;
    plans.push({
      config,
      reused,
      toAsk,
      requests: groups.length,
      inputTokens,
      outputTokens,
      costUsd: costOf(config.settings.prices, inputTokens, outputTokens),
    });
  }
  return plans;
}

/** What running needs besides the plan. */
export interface RunDeps {
  db: Db;
  aai: AssemblyAIClient;
  gatewayFor: (mode: 'transcript_id' | 'inline') => GatewayClient;
  llmRate: (model: string, config: EffectiveConfig) => RateBudget;
  /** Waits for one request of the AssemblyAI REST budget (before a transcript GET). */
  apiRate: () => Promise<void>;
  /** The tags of the list version a configuration uses. */
  tagsFor: (config: EffectiveConfig) => Tag[];
  currentExcerptTokens: number;
  onProgress?: (line: string) => void;
}

/** One configuration's outcome: its run row, every file's answer (in `files` order), what this run spent. */
export interface ConfigResult {
  config: EffectiveConfig;
  runId: number;
  answers: Array<Answer & { reused: boolean }>;
  spent: { requests: number; inputTokens: number; outputTokens: number; costUsd: number };
}

/** Asks what each plan needs and stores one eval_runs row and its eval_answers per configuration. */
export async function runEval(
  deps: RunDeps,
  plans: ConfigPlan[],
  files: EvalFile[],
  texts: Map<number, StoredText>,
  meta: { mode: 'labels' | 'agreement'; batchId: number | null; seed: number | null },
): Promise<ConfigResult[]> {
  const invocation = randomUUID();
  const fullTexts = new Map<number, Promise<string>>();
  const fullText = (fileId: number, transcriptId: string): Promise<string> => {
    const known = texts.get(fileId)?.fullText;
    if (known != null) return Promise.resolve(known);
    let p = fullTexts.get(fileId);
    if (!p) {
      p = deps.apiRate().then(async () => (await deps.aai.getTranscript(transcriptId)).text ?? '');
      fullTexts.set(fileId, p);
    }
    return p;
  };
  const results: ConfigResult[] = [];
  for (const plan of plans) {
    const { config } = plan;
    const sent = { requests: 0 };
    let waited = false;
    const askDeps = {
      gateway: deps.gatewayFor(config.settings.gatewayMode),
      aai: deps.aai,
      llmRate: deps.llmRate(config.model, config),
      settings: config.settings,
      model: config.model,
      tags: deps.tagsFor(config),
      sent,
      onWait: (ms: number) => {
        if (!waited && ms > 2000)
          deps.onProgress?.(
            `${config.name}: waiting for the ${config.model} request budget (shared with running workers)`,
          );
        waited = true;
      },
    };
    const asked = new Map<number, Answer>();
    if (plan.toAsk.length > 0)
      deps.onProgress?.(`${config.name}: asking for ${plan.toAsk.length} files (~${plan.requests} requests)`);
    if (config.settings.tagging.batchSize === 1) {
      for (const f of plan.toAsk)
        asked.set(f.fileId, await askAlone(askDeps, f, () => fullText(f.fileId, f.transcriptId)));
    } else {
      const items: BatchFile[] = [];
      for (const f of plan.toAsk)
        items.push({ ...f, text: await batchText(config, f, texts, deps, fullText) });
      const t = config.settings.tagging;
      for (const group of groupRequests(items, (i) => estimateTokens(i.text), t.batchSize, t.maxTokens)) {
        for (const a of await askBatch(askDeps, group, fullText)) asked.set(a.fileId, a);
      }
    }
    const answers = files.map((f) => {
      const reused = plan.reused.get(f.fileId);
      if (reused) return { ...reused, reused: true };
      return { ...(asked.get(f.fileId) as Answer), reused: false };
    });
    const fresh = answers.filter((a) => !a.reused);
    const spent = {
      requests: sent.requests,
      inputTokens: fresh.reduce((s, a) => s + a.inputTokens, 0),
      outputTokens: fresh.reduce((s, a) => s + a.outputTokens, 0),
      costUsd: fresh.reduce((s, a) => s + a.costUsd, 0),
    };
    const tagging = config.settings.tagging;
    const runId = await saveEvalRun(
      deps.db,
      {
        invocation,
        ...meta,
        configName: config.name,
        configKey: config.key,
        overrides: config.overrides,
        settings: {
          ...config.fingerprint,
          excerptTokens: tagging.excerptTokens,
          maxTokens: tagging.maxTokens,
        },
        taxonomyId: config.taxonomyId,
        files: files.length,
        spent,
      },
      // `answers` is in `files` order.
      answers.map((a, i) => ({ ...a, expected: files[i]?.expected ?? null })),
    );
    results.push({ config, runId, answers, spent });
  }
  return results;
}

/** The text a batched configuration tags a file by: the stored excerpt, or a new cut of the whole text. */
async function batchText(
  config: EffectiveConfig,
  f: EvalFile,
  texts: Map<number, StoredText>,
  deps: RunDeps,
  fullText: (fileId: number, transcriptId: string) => Promise<string>,
): Promise<string> {
  const stored = texts.get(f.fileId);
  if (stored && usesStoredExcerpt(config, deps.currentExcerptTokens)) return stored.excerpt;
  return makeExcerpt(await fullText(f.fileId, f.transcriptId), config.settings.tagging.excerptTokens);
}
