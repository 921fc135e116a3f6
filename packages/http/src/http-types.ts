import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { RetryOptions } from './backoff.ts';
import type { ResponseHeaders } from './classify.ts';

/** The part of a pino logger this client uses, so pino fits without a dependency on it. */
export interface HttpLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** One attempt, as a Prometheus exporter would count it; `route` is templated (`/v2/transcript/:id`). */
export interface RequestMetrics {
  method: string;
  route: string;
  statusCode?: number | undefined;
  durationMs: number;
  errorCode?: string | undefined;
  attempt: number;
}

export interface HttpClientOptions {
  /** Origin plus an optional path prefix, e.g. `https://api.assemblyai.com`. */
  baseUrl: string;
  apiKey: string;
  /**
   * How the key is sent in `authorization`: `raw` (AssemblyAI's own hosts: the key alone) or
   * `bearer` (`Bearer <key>`, as OpenAI-compatible servers expect). Default raw.
   */
  authScheme?: 'raw' | 'bearer' | undefined;
  /** Applies to the client's own pool only, not to a `dispatcher` passed in. */
  connectTimeoutMs?: number | undefined;
  /** Idle limit while waiting for headers and between body chunks (undici headersTimeout + bodyTimeout). */
  requestTimeoutMs?: number | undefined;
  retry?: Partial<RetryOptions> | undefined;
  /** Replaces the client's own keep-alive Pool (tests pass a MockAgent); the caller then owns closing it. */
  dispatcher?: Dispatcher | undefined;
  logger?: HttpLogger | undefined;
  userAgent?: string | undefined;
  onMetrics?: ((info: RequestMetrics) => void) | undefined;
  /**
   * A 400 whose API message matches is reported as NotFoundError, for an API that answers a
   * missing resource that way instead of 404 (AssemblyAI's lookup error). Default none.
   */
  notFoundMessage?: RegExp | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method: HttpMethod;
  /** Path below the base URL, without query string. */
  path: string;
  /** Templated path for metrics and logs; defaults to `path`. */
  route?: string | undefined;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  /** Sent as JSON. */
  body?: unknown;
  /** Called once per attempt for a fresh stream, sent as application/octet-stream. */
  stream?: (() => Readable) | undefined;
  contentLength?: number | undefined;
  /**
   * True when repeating the request is harmless (GET, DELETE). False requests are retried only
   * when they certainly never reached the server or were refused with 429.
   */
  idempotent: boolean;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse<T> {
  data: T;
  statusCode: number;
  headers: ResponseHeaders;
  attempts: number;
}
