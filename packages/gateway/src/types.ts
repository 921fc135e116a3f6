import type { HttpClientOptions } from '@mediatag/http';
import type { ChatMessage } from './inject.ts';

/**
 * `transcript_id`: AssemblyAI's gateway fetches the text itself (send the id, keep the placeholder).
 * `inline`: any other OpenAI-compatible endpoint; the client pastes the text into the message.
 */
export type GatewayMode = 'transcript_id' | 'inline';

export interface GatewayClientOptions extends HttpClientOptions {
  mode: GatewayMode;
  /**
   * Retry chat on every retryable error, even a timeout or 5xx after which the model may have run
   * (default true: a repeated completion costs a few tokens, unlike a repeated transcript).
   */
  retryAllErrors?: boolean | undefined;
}

/** Structured output: the model must answer JSON matching `schema`. */
export type ResponseFormat =
  | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean } }
  | { type: 'json_object' }
  | { type: 'text' };

export interface ChatParams {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number | undefined;
  /** 0 to 2. */
  temperature?: number | undefined;
  response_format?: ResponseFormat | undefined;
  /** Mode `transcript_id`: the transcript whose text replaces `{{ transcript }}` on the gateway. */
  transcriptId?: string | undefined;
  /** Mode `inline`: the text pasted in place of `{{ transcript }}` before sending. */
  transcriptText?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Token counts in one shape, whichever the endpoint used (`input_tokens` or OpenAI's `prompt_tokens`). */
export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** The per-model request window, from `X-RateLimit-*` headers. */
export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface ChatResult {
  content: string;
  finishReason: string | null;
  requestId?: string;
  usage: ChatUsage;
  rateLimit?: RateLimitInfo;
}
