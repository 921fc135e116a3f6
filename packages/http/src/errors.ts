import { toError } from '@mediatag/errors';

/** What every API error carries; `redact` is the secret to mask and is never stored. */
export interface ApiErrorInit {
  method: string;
  /** Path only: never the query string (it may carry cursors or tokens) and never headers. */
  path: string;
  statusCode?: number | undefined;
  apiMessage?: string | undefined;
  retryAfterMs?: number | undefined;
  /** What the server asked for when it was more than MAX_RETRY_AFTER_MS (retryAfterMs is then the cap). */
  retryAfterRequestedMs?: number | undefined;
  /** False only when the request certainly never reached the server (refused, DNS, connect timeout). */
  sent: boolean;
  cause?: unknown;
  redact?: string | undefined;
}

const REDACTED = '[REDACTED]';

/** Replaces every occurrence of `secret` in `text`; keys shorter than 4 characters are not masked (too common). */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  return text.split(secret).join(REDACTED);
}

/** Keeps the original cause for debugging unless its text would leak the secret. */
function safeCause(cause: unknown, secret: string | undefined): unknown {
  if (cause === undefined) return undefined;
  const err = toError(cause);
  const leaks = !!secret && secret.length >= 4 && `${err.message}\n${err.stack ?? ''}`.includes(secret);
  if (!leaks) return cause;
  const clean = new Error(redactSecret(err.message, secret));
  clean.name = err.name;
  clean.stack = redactSecret(err.stack ?? '', secret);
  return clean;
}

/** Base of every failure of an HttpClient request (AssemblyAI, LLM Gateway): a stable `code` plus what is needed to decide on a retry. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  readonly code: string;
  readonly statusCode?: number;
  readonly apiMessage?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** Set when the server's Retry-After was capped: what it asked for. */
  readonly retryAfterRequestedMs?: number;
  readonly sent: boolean;
  readonly method: string;
  readonly path: string;
  /** How many attempts the HTTP client made before giving up (set by HttpClient). */
  attempts = 1;

  constructor(message: string, code: string, retryable: boolean, init: ApiErrorInit) {
    const secret = init.redact;
    const cause = safeCause(init.cause, secret);
    super(redactSecret(message, secret), cause === undefined ? undefined : { cause });
    this.code = code;
    this.retryable = retryable;
    this.sent = init.sent;
    this.method = init.method;
    this.path = redactSecret(init.path, secret);
    if (init.statusCode !== undefined) this.statusCode = init.statusCode;
    if (init.apiMessage !== undefined) this.apiMessage = redactSecret(init.apiMessage, secret);
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.retryAfterRequestedMs !== undefined) this.retryAfterRequestedMs = init.retryAfterRequestedMs;
  }

  /** A log-friendly shape; the default JSON of an Error drops `message`. */
  toJSON(): Record<string, unknown> {
    const cause = this.cause === undefined ? undefined : toError(this.cause);
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      statusCode: this.statusCode,
      apiMessage: this.apiMessage,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      retryAfterRequestedMs: this.retryAfterRequestedMs,
      sent: this.sent,
      method: this.method,
      path: this.path,
      attempts: this.attempts,
      cause: cause && { name: cause.name, message: cause.message, code: (cause as { code?: unknown }).code },
    };
  }
}

/** 401 or 403: the key is missing, invalid or not allowed to touch this resource. */
export class AuthError extends ApiError {
  override readonly name = 'AuthError';
  constructor(message: string, init: ApiErrorInit) {
    super(message, 'E_AUTH', false, init);
  }
}

/** 400: the request is wrong and will stay wrong; fix it instead of retrying. */
export class BadRequestError extends ApiError {
  override readonly name = 'BadRequestError';
  constructor(message: string, init: ApiErrorInit) {
    super(message, 'E_BAD_REQUEST', false, init);
  }
}

/** 404, or production's 400 "Transcript lookup error": the resource does not exist (or not for this key). */
export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
  constructor(message: string, init: ApiErrorInit) {
    super(message, 'E_NOT_FOUND', false, init);
  }
}

/** 429: over the request budget; `retryAfterMs` says how long to wait when the server told us. */
export class RateLimitError extends ApiError {
  override readonly name = 'RateLimitError';
  constructor(message: string, init: ApiErrorInit) {
    super(message, 'E_RATE_LIMITED', true, init);
  }
}

/** HTTP 5xx; retryable for 500, 502, 503 and 504, which are usually transient. */
export class ServerError extends ApiError {
  override readonly name = 'ServerError';
  constructor(message: string, init: ApiErrorInit) {
    super(message, 'E_SERVER', [500, 502, 503, 504].includes(init.statusCode ?? 0), init);
  }
}

/** Connection refused or reset, DNS or socket failure: no HTTP status was received. */
export class NetworkError extends ApiError {
  override readonly name = 'NetworkError';
  constructor(message: string, init: ApiErrorInit) {
    super(message, 'E_NETWORK', true, init);
  }
}

/** Connect, response-headers or response-body timeout. */
export class TimeoutError extends ApiError {
  override readonly name = 'TimeoutError';
  constructor(message: string, init: ApiErrorInit) {
    super(message, 'E_TIMEOUT', true, init);
  }
}

/** A 2xx answer whose body is not the JSON we expect. */
export class InvalidResponseError extends ApiError {
  override readonly name = 'InvalidResponseError';
  constructor(message: string, init: ApiErrorInit) {
    super(message, 'E_INVALID_RESPONSE', false, init);
  }
}

/** Caught before sending: the arguments can never make a valid request (nothing was sent, nothing billed). */
export class InvalidRequestError extends ApiError {
  override readonly name = 'InvalidRequestError';
  constructor(message: string, init: Omit<ApiErrorInit, 'sent'>) {
    super(message, 'E_INVALID_REQUEST', false, { ...init, sent: false });
  }
}
