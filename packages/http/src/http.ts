import { pipeline, Readable, Transform } from 'node:stream';
import { toError } from '@mediatag/errors';
import { type Dispatcher, Pool } from 'undici';
import { backoffDelayMs, DEFAULT_RETRY, IdleDeadline, type RetryOptions, sleep } from './backoff.ts';
import { errorFromException, errorFromResponse, type RequestContext } from './classify.ts';
import { ApiError, InvalidResponseError, TimeoutError } from './errors.ts';
import type {
  HttpClientOptions,
  HttpLogger,
  HttpResponse,
  RequestMetrics,
  RequestOptions,
} from './http-types.ts';

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** JSON over HTTP with auth, timeouts, classified errors and bounded retries; one keep-alive pool per base URL. */
export class HttpClient {
  readonly retry: RetryOptions;
  readonly requestTimeoutMs: number;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly apiKey: string;
  private readonly authorization: string;
  private readonly userAgent: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownPool: Pool | undefined;
  private readonly logger: HttpLogger | undefined;
  private readonly onMetrics: ((info: RequestMetrics) => void) | undefined;
  private readonly notFoundMessage: RegExp | undefined;
  private closed = false;

  constructor(options: HttpClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('baseUrl must be http(s)');
    if (!options.apiKey) throw new TypeError('apiKey is required');
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.authorization = options.authScheme === 'bearer' ? `Bearer ${options.apiKey}` : options.apiKey;
    this.userAgent = options.userAgent ?? 'mediatag/0.1';
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.retry.maxAttempts = Math.max(1, Math.floor(this.retry.maxAttempts));
    this.logger = options.logger;
    this.onMetrics = options.onMetrics;
    this.notFoundMessage = options.notFoundMessage;
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownPool = undefined;
    } else {
      this.ownPool = new Pool(this.origin, {
        connect: { timeout: options.connectTimeoutMs ?? 10_000 },
        headersTimeout: this.requestTimeoutMs,
        bodyTimeout: this.requestTimeoutMs,
      });
      this.dispatcher = this.ownPool;
    }
  }

  /** Sends a request with retries and returns the parsed JSON body. */
  async request<T = unknown>(req: RequestOptions): Promise<T> {
    return (await this.send<T>(req)).data;
  }

  /** Like `request`, but also returns status, headers and the number of attempts. */
  async send<T = unknown>(req: RequestOptions): Promise<HttpResponse<T>> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt<T>(req, attempt);
      } catch (thrown) {
        if (!(thrown instanceof ApiError)) throw thrown;
        thrown.attempts = attempt;
        const delayMs = this.retryDelayMs(thrown, req, attempt, Date.now() - started);
        if (delayMs === undefined) throw thrown;
        this.logger?.warn(
          {
            method: req.method,
            route: this.route(req),
            attempt,
            delayMs,
            code: thrown.code,
            statusCode: thrown.statusCode,
          },
          'retrying request',
        );
        await sleep(delayMs, req.signal);
      }
    }
  }

  /** Closes the client's own pool; a dispatcher passed in options is left to its owner. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ownPool?.close();
  }

  private retryDelayMs(
    err: ApiError,
    req: RequestOptions,
    attempt: number,
    elapsedMs: number,
  ): number | undefined {
    if (!err.retryable) return undefined;
    // A POST that may have been processed is not repeated here (a duplicate transcript is billed twice);
    // the error stays retryable so the job layer can check for the job first and decide.
    if (!req.idempotent && err.sent && err.statusCode !== 429) return undefined;
    if (attempt >= this.retry.maxAttempts) return undefined;
    const delayMs = Math.max(backoffDelayMs(attempt, this.retry), err.retryAfterMs ?? 0);
    if (elapsedMs + delayMs > this.retry.maxTotalMs) return undefined;
    return delayMs;
  }

  private route(req: RequestOptions): string {
    return this.basePath + (req.route ?? req.path);
  }

  private async attempt<T>(req: RequestOptions, attempt: number): Promise<HttpResponse<T>> {
    const ctx: RequestContext = {
      method: req.method,
      path: this.basePath + req.path,
      redact: this.apiKey,
      notFound: this.notFoundMessage,
    };
    const started = performance.now();
    const deadline = new IdleDeadline(this.requestTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline.signal]) : deadline.signal;
    const headers: Record<string, string> = {
      authorization: this.authorization,
      'user-agent': this.userAgent,
      accept: 'application/json',
    };
    let body: string | Readable | undefined;
    let statusCode: number | undefined;
    let phase = 'response headers';
    try {
      if (req.stream) {
        body = progressStream(req.stream(), deadline);
        headers['content-type'] = 'application/octet-stream';
        if (req.contentLength !== undefined) headers['content-length'] = String(req.contentLength);
      } else if (req.body !== undefined) {
        body = JSON.stringify(req.body);
        headers['content-type'] = 'application/json';
      }
      const res = await this.dispatcher.request({
        origin: this.origin,
        path: ctx.path + queryString(req.query),
        method: req.method,
        headers,
        body: body ?? null,
        signal,
        headersTimeout: this.requestTimeoutMs,
        bodyTimeout: this.requestTimeoutMs,
      });
      statusCode = res.statusCode;
      phase = 'response body chunk';
      deadline.refresh();
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) {
        deadline.refresh();
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (statusCode < 200 || statusCode >= 300) throw errorFromResponse(ctx, statusCode, res.headers, text);
      const data = statusCode === 204 ? undefined : parseJson(text, ctx, statusCode);
      this.record(req, attempt, started, statusCode, undefined);
      return { data: data as T, statusCode, headers: res.headers, attempts: attempt };
    } catch (thrown) {
      if (req.signal?.aborted) {
        this.record(req, attempt, started, statusCode, 'E_ABORTED');
        throw toError(req.signal.reason);
      }
      const err = deadline.expired
        ? new TimeoutError(`${ctx.method} ${ctx.path}: no ${phase} within ${this.requestTimeoutMs} ms`, {
            ...ctx,
            sent: true,
          })
        : errorFromException(ctx, thrown);
      this.record(req, attempt, started, err.statusCode ?? statusCode, err.code);
      throw err;
    } finally {
      deadline.clear();
      // Closes the file behind an upload the server answered without reading to the end.
      if (body instanceof Readable) body.destroy();
    }
  }

  private record(
    req: RequestOptions,
    attempt: number,
    started: number,
    statusCode: number | undefined,
    errorCode: string | undefined,
  ): void {
    const info: RequestMetrics = {
      method: req.method,
      route: this.route(req),
      statusCode,
      durationMs: Math.round(performance.now() - started),
      errorCode,
      attempt,
    };
    this.logger?.debug(info, 'http request');
    if (!this.onMetrics) return;
    try {
      this.onMetrics(info);
    } catch (thrown) {
      // A broken metrics hook must not fail the request it measures.
      this.logger?.warn({ err: toError(thrown) }, 'metrics callback failed');
    }
  }
}

function parseJson(text: string, ctx: RequestContext, statusCode: number): unknown {
  try {
    return JSON.parse(text);
  } catch (thrown) {
    throw new InvalidResponseError(`${ctx.method} ${ctx.path}: HTTP ${statusCode} body is not JSON`, {
      ...ctx,
      statusCode,
      sent: true,
      cause: thrown,
    });
  }
}

/** Passes the upload through, refreshing the idle deadline per chunk; errors and aborts travel both ways. */
function progressStream(source: Readable, deadline: IdleDeadline): Readable {
  const progress = new Transform({
    transform(chunk, _encoding, done) {
      deadline.refresh();
      done(null, chunk);
    },
  });
  // pipeline destroys the source (closing its file) when undici destroys the body, and forwards
  // a source error to undici; the request itself reports either, so the callback has nothing to add.
  pipeline(source, progress, () => undefined);
  return progress;
}
