import type { WorkerEnv } from '@mediatag/config';
import { ConfigError } from '@mediatag/config';
import { UsageError } from '@mediatag/errors';

/** Everything the processors need to know, derived from the environment once. */
export interface PipelineSettings {
  maxInFlight: number;
  speechModels: string[];
  /** The model of LLM_MODEL: the first of `models`. */
  model: string;
  /** Every model the taggers may use, each with its own per-model budget (LLM_MODELS, else LLM_MODEL). */
  models: string[];
  /** Spread one tag list over all `models` (opt-in: labels from different models can differ). */
  spreadModels: boolean;
  tagging: TaggingSettings;
  /** Extra submissions beyond maxInFlight queued at AssemblyAI: 'auto' = measured, bounded. */
  inFlightReserve: 'auto' | number;
  gatewayMode: 'transcript_id' | 'inline';
  apiRate: { requests: number; windowMs: number };
  llmRate: { requests: number; windowMs: number };
  /** First check of a transcript after this long; later checks at 1.5× the time elapsed, capped at maxMs. */
  poll: { minMs: number; maxMs: number };
  /** How long the submit queue pauses when every in-flight slot is taken (a freed slot wakes it sooner). */
  slotWaitMs: number;
  /**
   * A submission claim older than this belongs to a dead attempt. A live attempt renews its
   * BullMQ lock, so only a dead or frozen process leaves a claim this old.
   */
  claimTtlMs: number;
  /** BullMQ lock duration; a dead worker's jobs come back after about this long. */
  lockMs: number;
  webhook?: { url: string; headerName: string; headerValue: string };
  /**
   * The completion sweep (POLL_SWEEP_MS), only without webhooks: every `intervalMs` one
   * process lists the account's newest transcripts (`pageSize` a page, at most `maxPages`) and
   * wakes the checks of those that finished; the scheduled checks become a slow fallback.
   */
  sweep?: { intervalMs: number; pageSize: number; maxPages: number };
  reconcileIntervalMs: number;
  /**
   * The search for an earlier attempt's transcript: pages of the account's newest transcripts
   * (at most 200 a page), and how many pages before it gives up (50 × 200 = 10,000).
   */
  orphanSearch: { pageSize: number; maxPages: number };
  /** Ask once more, more strictly, when the model's answer names no single tag. */
  repairUnmatched: boolean;
  /** USD prices for the stored cost estimates. */
  prices: { perAudioHour: number; inputPerMTok: number; outputPerMTok: number };
  /** Audio seconds a spending cap assumes for a file when nothing better is known. */
  estimateAudioS: number;
}

/** How tagging requests are built. */
export interface TaggingSettings {
  /** Files per gateway request; 1 = one file per request with transcript_id (no excerpt needed). */
  batchSize: number;
  /** Estimated input tokens one batched request may carry. */
  maxTokens: number;
  /** A batch goes when full or once its oldest file has waited this long. */
  waitMs: number;
  /** Token budget of a file's excerpt; 0 = the whole transcript. */
  excerptTokens: number;
  /** Text kept in Postgres when a transcript completes. */
  store: 'excerpt' | 'full' | 'none';
  /**
   * How long the files of one request stay leased to it. The request is aborted before its
   * lease ends, so a live request never outlives it; an expired lease is a crashed request's.
   */
  leaseMs: number;
}

/** Path of the webhook receiver on `mediatag serve`. */
export const WEBHOOK_PATH = '/webhooks/assemblyai';

/** True for AssemblyAI's own hosts, where a missing key can only mean a misconfiguration. */
export function isAssemblyAiHost(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'assemblyai.com' || host.endsWith('.assemblyai.com');
}

/** The key the gateway client sends, and how (see gatewayAuth). */
export interface GatewayAuth {
  apiKey: string | undefined;
  scheme: 'raw' | 'bearer';
  /** Where the key is meant for: AssemblyAI (its hosts or ASSEMBLYAI_BASE_URL's origin) or elsewhere. */
  assemblyAi: boolean;
}

/**
 * Which key goes to LLM_GATEWAY_URL. The AssemblyAI key goes only to AssemblyAI's own hosts
 * (US and EU API and gateway) and to the origin of ASSEMBLYAI_BASE_URL, which the user set for
 * it (the emulator, a proxy); any other gateway gets LLM_API_KEY as `Bearer`, and without one
 * the configuration is refused (exit 2) rather than handing the AssemblyAI key to a stranger.
 */
export function gatewayAuth(
  env: Pick<WorkerEnv, 'LLM_GATEWAY_URL' | 'ASSEMBLYAI_BASE_URL' | 'ASSEMBLYAI_API_KEY' | 'LLM_API_KEY'>,
): GatewayAuth {
  const assemblyAi =
    isAssemblyAiHost(env.LLM_GATEWAY_URL) ||
    new URL(env.LLM_GATEWAY_URL).origin === new URL(env.ASSEMBLYAI_BASE_URL).origin;
  if (assemblyAi) return { apiKey: env.LLM_API_KEY ?? env.ASSEMBLYAI_API_KEY, scheme: 'raw', assemblyAi };
  if (!env.LLM_API_KEY) {
    throw new UsageError(
      `LLM_GATEWAY_URL ${new URL(env.LLM_GATEWAY_URL).origin} is not AssemblyAI's: set LLM_API_KEY for it (the AssemblyAI key is never sent there)`,
    );
  }
  return { apiKey: env.LLM_API_KEY, scheme: 'bearer', assemblyAi };
}

/** Builds settings from the parsed environment; refuses the real API without a key (unless told no API call will be made). */
export function settingsFromEnv(env: WorkerEnv, options: { requireKey?: boolean } = {}): PipelineSettings {
  if (options.requireKey !== false && !env.ASSEMBLYAI_API_KEY && isAssemblyAiHost(env.ASSEMBLYAI_BASE_URL)) {
    throw new ConfigError(
      `invalid environment: ASSEMBLYAI_API_KEY: required for ${env.ASSEMBLYAI_BASE_URL} (or point ASSEMBLYAI_BASE_URL at the emulator: mediatag emulator)`,
    );
  }
  const sameAsApi = new URL(env.LLM_GATEWAY_URL).origin === new URL(env.ASSEMBLYAI_BASE_URL).origin;
  const gatewayMode =
    env.LLM_MODE === 'auto'
      ? isAssemblyAiHost(env.LLM_GATEWAY_URL) || sameAsApi
        ? 'transcript_id'
        : 'inline'
      : env.LLM_MODE;
  return {
    maxInFlight: env.MAX_IN_FLIGHT,
    speechModels: env.SPEECH_MODELS,
    model: env.LLM_MODELS[0] ?? env.LLM_MODEL,
    models: env.LLM_MODELS.length > 0 ? [...new Set(env.LLM_MODELS)] : [env.LLM_MODEL],
    spreadModels: env.LLM_SPREAD_MODELS,
    tagging: {
      batchSize: env.TAG_BATCH_SIZE,
      maxTokens: env.TAG_BATCH_MAX_TOKENS,
      waitMs: env.TAG_BATCH_WAIT_MS,
      excerptTokens: env.TAG_EXCERPT_TOKENS,
      store: env.STORE_TRANSCRIPTS,
      leaseMs: Math.max(15_000, env.JOB_LOCK_MS * 3),
    },
    inFlightReserve: env.IN_FLIGHT_RESERVE,
    gatewayMode,
    apiRate: env.ASSEMBLYAI_RATE_LIMIT,
    llmRate: env.LLM_RATE_LIMIT,
    poll: { minMs: env.POLL_MIN_MS, maxMs: Math.max(env.POLL_MIN_MS, env.POLL_MAX_MS) },
    slotWaitMs: 50,
    // A live attempt renews its lock every lockMs / 2; 1.5 lock periods without one = dead.
    claimTtlMs: Math.round(env.JOB_LOCK_MS * 1.5),
    lockMs: env.JOB_LOCK_MS,
    reconcileIntervalMs: env.RECONCILE_INTERVAL_S * 1000,
    repairUnmatched: true,
    orphanSearch: { pageSize: 200, maxPages: 50 },
    prices: {
      perAudioHour: env.PRICE_PER_AUDIO_HOUR,
      inputPerMTok: env.LLM_PRICE_INPUT_PER_MTOK,
      outputPerMTok: env.LLM_PRICE_OUTPUT_PER_MTOK,
    },
    estimateAudioS: env.COST_ESTIMATE_AUDIO_S,
    ...(env.WEBHOOK_BASE_URL && env.WEBHOOK_SECRET
      ? {
          webhook: {
            url: new URL(WEBHOOK_PATH, env.WEBHOOK_BASE_URL).href,
            headerName: env.WEBHOOK_AUTH_HEADER,
            headerValue: env.WEBHOOK_SECRET,
          },
        }
      : env.POLL_SWEEP_MS > 0
        ? { sweep: { intervalMs: env.POLL_SWEEP_MS, pageSize: 200, maxPages: 10 } }
        : {}),
  };
}
