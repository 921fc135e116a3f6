import { describe, expect, it } from 'vitest';
import {
  errorFromException,
  errorFromResponse,
  MAX_RETRY_AFTER_MS,
  parseErrorBody,
  parseRetryAfterMs,
} from './classify.ts';
import {
  ApiError,
  BadRequestError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  redactSecret,
  ServerError,
  TimeoutError,
} from './errors.ts';

const KEY = 'aai-key-5e6f7a8b9c0d1e2f';
const ctx = { method: 'GET', path: '/v2/transcript/x', redact: KEY };

describe('parseErrorBody', () => {
  it.each([
    [
      '{"error":"Authentication error, API token missing/invalid"}',
      'Authentication error, API token missing/invalid',
    ],
    ['{"error":{"code":400,"message":"model not found","metadata":{}}}', 'model not found'],
    ['{"message":"openai style"}', 'openai style'],
    ['Bad Gateway\n', 'Bad Gateway'],
    ['', undefined],
    ['{"error":42}', '{"error":42}'],
  ])('%s', (body, expected) => {
    expect(parseErrorBody(body)).toBe(expected);
  });

  it('shortens a huge plain-text page', () => {
    expect(parseErrorBody('x'.repeat(10_000))?.length).toBeLessThan(510);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.25' }, 250],
    [{ 'retry-after': 'Sun, 01 Mar 2026 12:00:05 GMT' }, 5000],
    [{ 'retry-after': 'Sun, 01 Mar 2026 11:00:00 GMT' }, 0],
    [{ 'x-ratelimit-reset': '42' }, 42_000],
    [{ 'x-ratelimit-reset': String(now / 1000 + 9) }, 9000],
    [{ 'retry-after': '2', 'x-ratelimit-reset': '42' }, 2000],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'x-ratelimit-reset': '12abc' }, undefined],
    [{}, undefined],
  ])('%j', (headers, expected) => {
    expect(parseRetryAfterMs(headers, now)).toBe(expected);
  });
});

describe('errorFromResponse', () => {
  it('caps a Retry-After past 5 minutes and keeps what the server asked for', () => {
    const day = errorFromResponse(ctx, 429, { 'retry-after': '86400' }, '{"error":"slow down"}');
    expect(day).toBeInstanceOf(RateLimitError);
    expect(day.retryAfterMs).toBe(MAX_RETRY_AFTER_MS);
    expect(day.retryAfterRequestedMs).toBe(86_400_000);
    const minute = errorFromResponse(ctx, 429, { 'retry-after': '60' }, '');
    expect(minute.retryAfterMs).toBe(60_000);
    expect(minute.retryAfterRequestedMs).toBeUndefined();
  });

  it('maps a 400 whose message matches notFound to NotFoundError, and only then', () => {
    const body = '{"error":"Transcript lookup error, transcript id not found"}';
    const err = errorFromResponse({ ...ctx, notFound: /transcript lookup error/i }, 400, {}, body);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('E_NOT_FOUND');
    expect(errorFromResponse(ctx, 400, {}, body)).toBeInstanceOf(BadRequestError);
    const other = errorFromResponse(
      { ...ctx, notFound: /transcript lookup error/i },
      400,
      {},
      '{"error":"bad"}',
    );
    expect(other).toBeInstanceOf(BadRequestError);
  });

  it('retries only the transient 5xx', () => {
    expect(errorFromResponse(ctx, 503, {}, '').retryable).toBe(true);
    const notImplemented = errorFromResponse(ctx, 501, {}, '');
    expect(notImplemented).toBeInstanceOf(ServerError);
    expect(notImplemented.retryable).toBe(false);
  });

  it('keeps retryAfterMs on a 503 that sends Retry-After', () => {
    expect(errorFromResponse(ctx, 503, { 'retry-after': '4' }, '').retryAfterMs).toBe(4000);
  });
});

describe('errorFromException', () => {
  const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

  it.each([
    ['ECONNREFUSED', NetworkError, false],
    ['ENOTFOUND', NetworkError, false],
    ['EAI_AGAIN', NetworkError, false],
    ['UND_ERR_CONNECT_TIMEOUT', TimeoutError, false],
    ['ECONNRESET', NetworkError, true],
    ['UND_ERR_SOCKET', NetworkError, true],
    ['UND_ERR_HEADERS_TIMEOUT', TimeoutError, true],
    ['UND_ERR_BODY_TIMEOUT', TimeoutError, true],
  ])('%s', (code, type, sent) => {
    const err = errorFromException(ctx, withCode(code));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ sent, retryable: true });
  });

  it('finds the code of a happy-eyeballs AggregateError', () => {
    const agg = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed');
    expect(errorFromException(ctx, agg)).toMatchObject({ code: 'E_NETWORK', sent: false });
  });

  it('treats unknown failures as permanent', () => {
    const err = errorFromException(ctx, withCode('ENOENT', 'no such file'));
    expect(err).toMatchObject({ code: 'E_REQUEST', retryable: false });
    expect(err.constructor).toBe(ApiError);
    expect(errorFromException(ctx, 'weird')).toMatchObject({ code: 'E_REQUEST' });
  });
});

describe('secret redaction', () => {
  it('masks the key in message, path, apiMessage, JSON, stack and cause', () => {
    const cause = new Error(`upstream echoed ${KEY}`);
    const err = new ServerError(`failed for ${KEY}`, {
      method: 'GET',
      path: `/v2/${KEY}`,
      statusCode: 500,
      apiMessage: `token ${KEY}`,
      sent: true,
      cause,
      redact: KEY,
    });
    const texts = [
      err.message,
      String(err),
      JSON.stringify(err),
      err.stack ?? '',
      err.path,
      err.apiMessage ?? '',
    ];
    for (const text of texts) expect(text).not.toContain(KEY);
    expect(String((err.cause as Error).stack)).not.toContain(KEY);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      name: 'ServerError',
      code: 'E_SERVER',
      statusCode: 500,
    });
  });

  it('leaves short or empty secrets alone', () => {
    expect(redactSecret('a b c', 'b')).toBe('a b c');
    expect(redactSecret('abcd abcd', 'abcd')).toBe('[REDACTED] [REDACTED]');
    expect(redactSecret('text', undefined)).toBe('text');
  });

  it('keeps a harmless cause as is', () => {
    const cause = new Error('socket closed');
    const err = new NetworkError('x', { method: 'GET', path: '/', sent: true, cause, redact: KEY });
    expect(err.cause).toBe(cause);
    expect(err.stack?.startsWith('NetworkError: x')).toBe(true);
  });
});
