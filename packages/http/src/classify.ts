import { toError } from '@mediatag/errors';
import {
  ApiError,
  type ApiErrorInit,
  AuthError,
  BadRequestError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from './errors.ts';

/** Response headers as undici hands them over: lower-case names, repeated headers as arrays. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Where a failure happened; `redact` is the API key to mask in any text. */
export interface RequestContext {
  method: string;
  path: string;
  redact?: string | undefined;
  /** A 400 whose API message matches is a NotFoundError (`HttpClientOptions.notFoundMessage`). */
  notFound?: RegExp | undefined;
}

const MAX_MESSAGE = 500;

/** First value of a response header, or undefined. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The API's own message from `{"error":"..."}`, `{"error":{"message":"..."}}`, `{"message":"..."}` or plain text. */
export function parseErrorBody(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    const body: unknown = JSON.parse(trimmed);
    if (body && typeof body === 'object') {
      const { error, message } = body as { error?: unknown; message?: unknown };
      if (typeof error === 'string') return error;
      if (error && typeof error === 'object') {
        const nested = (error as { message?: unknown }).message;
        if (typeof nested === 'string') return nested;
      }
      if (typeof message === 'string') return message;
    }
  } catch {
    // Not JSON: proxies answer 502/504 with text or HTML, which is still worth reporting.
  }
  const flat = trimmed.replace(/\s+/g, ' ');
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
}

/** Parses a non-negative number of seconds; rejects junk like "12abc" instead of guessing. */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Longest wait a server's Retry-After can impose: AssemblyAI's longest window is 5 minutes,
 * so anything longer is a misbehaving server or proxy and must not stall the workers for hours.
 */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Milliseconds to wait before retrying, from `Retry-After` (seconds or HTTP-date) or else
 * `X-RateLimit-Reset` (seconds until the window resets).
 */
export function parseRetryAfterMs(headers: ResponseHeaders, now: number = Date.now()): number | undefined {
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const s = seconds(retryAfter);
    if (s !== undefined) return Math.ceil(s * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = seconds(headerValue(headers, 'x-ratelimit-reset'));
  if (reset === undefined) return undefined;
  // The gateway sends seconds until reset; some servers send an epoch instead, which is far larger.
  if (reset > 1_000_000_000) return Math.max(0, Math.ceil(reset * 1000 - now));
  return Math.ceil(reset * 1000);
}

/** Turns a non-2xx answer into the matching ApiError subclass. */
export function errorFromResponse(
  ctx: RequestContext,
  statusCode: number,
  headers: ResponseHeaders,
  bodyText: string,
): ApiError {
  const apiMessage = parseErrorBody(bodyText);
  const init: ApiErrorInit = {
    method: ctx.method,
    path: ctx.path,
    statusCode,
    apiMessage,
    retryAfterMs: parseRetryAfterMs(headers),
    sent: true,
    redact: ctx.redact,
  };
  const requested = init.retryAfterMs;
  if (requested !== undefined && requested > MAX_RETRY_AFTER_MS) {
    init.retryAfterMs = MAX_RETRY_AFTER_MS;
    init.retryAfterRequestedMs = requested;
  }
  const message = `${ctx.method} ${ctx.path} failed with HTTP ${statusCode}${apiMessage ? `: ${apiMessage}` : ''}`;
  if (statusCode === 400 && apiMessage && ctx.notFound?.test(apiMessage))
    return new NotFoundError(message, init);
  if (statusCode === 400) return new BadRequestError(message, init);
  if (statusCode === 401 || statusCode === 403) return new AuthError(message, init);
  if (statusCode === 404) return new NotFoundError(message, init);
  if (statusCode === 429) return new RateLimitError(message, init);
  if (statusCode >= 500) return new ServerError(message, init);
  return new ApiError(message, `E_HTTP_${statusCode}`, false, init);
}

// Failures that happen before a single byte of the request leaves this machine.
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
// Failures after the request may have reached the server: a retry could duplicate it.
const MAYBE_SENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The error code of a thrown value, looking into `cause` and AggregateError (happy eyeballs) too. */
function codeOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  if (Array.isArray(errors) && errors.length > 0) return codeOf(errors[0]);
  return cause === undefined ? undefined : codeOf(cause);
}

/** Classifies a thrown transport error (no HTTP status) as NetworkError, TimeoutError or a permanent ApiError. */
export function errorFromException(ctx: RequestContext, thrown: unknown): ApiError {
  if (thrown instanceof ApiError) return thrown;
  const err = toError(thrown);
  const code = codeOf(thrown);
  const base = { method: ctx.method, path: ctx.path, cause: thrown, redact: ctx.redact };
  const detail = `${code ? `${code} ` : ''}${err.message}`;
  if (code && (NOT_SENT.has(code) || MAYBE_SENT.has(code))) {
    const init = { ...base, sent: !NOT_SENT.has(code) };
    if (TIMEOUTS.has(code)) return new TimeoutError(`${ctx.method} ${ctx.path} timed out: ${detail}`, init);
    return new NetworkError(`${ctx.method} ${ctx.path} network error: ${detail}`, init);
  }
  // Anything else (a bad body stream, a closed client, an invalid header) will fail the same way again.
  return new ApiError(`${ctx.method} ${ctx.path} failed: ${detail}`, 'E_REQUEST', false, {
    ...base,
    sent: true,
  });
}
