import { headerValue, InvalidResponseError, parseRetryAfterMs, type ResponseHeaders } from '@mediatag/http';
import type { ChatResult, ChatUsage, RateLimitInfo } from './types.ts';

interface Context {
  method: string;
  path: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(usage: Record<string, unknown>, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = usage[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

/** Reads AssemblyAI's `input_tokens/output_tokens` or OpenAI's `prompt_tokens/completion_tokens`; missing counts are 0. */
export function parseUsage(value: unknown): ChatUsage {
  const usage = isRecord(value) ? value : {};
  const inputTokens = count(usage, 'input_tokens', 'prompt_tokens') ?? 0;
  const outputTokens = count(usage, 'output_tokens', 'completion_tokens') ?? 0;
  const totalTokens = count(usage, 'total_tokens') ?? inputTokens + outputTokens;
  return { inputTokens, outputTokens, totalTokens };
}

function whole(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

/** `X-RateLimit-Limit/Remaining/Reset` (reset in seconds), or undefined unless all three are readable. */
export function parseRateLimit(headers: ResponseHeaders): RateLimitInfo | undefined {
  const limit = whole(headerValue(headers, 'x-ratelimit-limit'));
  const remaining = whole(headerValue(headers, 'x-ratelimit-remaining'));
  // Only the reset header is consulted: Retry-After belongs to 429s, not to successful answers.
  const resetMs = parseRetryAfterMs({ 'x-ratelimit-reset': headerValue(headers, 'x-ratelimit-reset') });
  if (limit === undefined || remaining === undefined || resetMs === undefined) return undefined;
  return { limit, remaining, resetMs };
}

/** Checks a chat completion and flattens it to the first choice's text, finish reason, id and usage. */
export function parseChatResponse(data: unknown, ctx: Context): Omit<ChatResult, 'rateLimit'> {
  const invalid = (what: string) =>
    new InvalidResponseError(`${ctx.method} ${ctx.path}: unexpected response, ${what}`, {
      ...ctx,
      statusCode: 200,
      sent: true,
    });
  if (!isRecord(data) || !Array.isArray(data.choices)) throw invalid('no choices array');
  const choice: unknown = data.choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) throw invalid('no message in the first choice');
  const content = choice.message.content;
  if (typeof content !== 'string') throw invalid('the first choice has no text content');
  const result: Omit<ChatResult, 'rateLimit'> = {
    content,
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
    usage: parseUsage(data.usage),
  };
  // AssemblyAI names it request_id; OpenAI-compatible endpoints call it id.
  const requestId = typeof data.request_id === 'string' ? data.request_id : data.id;
  if (typeof requestId === 'string') result.requestId = requestId;
  return result;
}
