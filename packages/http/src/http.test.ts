import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthError,
  BadRequestError,
  InvalidResponseError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError,
} from './errors.ts';
import { HttpClient } from './http.ts';
import type { HttpClientOptions, RequestMetrics } from './http-types.ts';

const ORIGIN = 'https://api.test';
const KEY = 'sk-live-3f9a1c7e5b2d4a6f8e0c';

const agents: MockAgent[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function setup(options: Partial<HttpClientOptions> = {}) {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  agents.push(agent);
  const metrics: RequestMetrics[] = [];
  const http = new HttpClient({
    baseUrl: ORIGIN,
    apiKey: KEY,
    dispatcher: agent,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    onMetrics: (info) => metrics.push(info),
    ...options,
  });
  clients.push(http);
  const calls = () => agent.getCallHistory()?.calls().length ?? 0;
  return { agent, mock: agent.get(ORIGIN), http, metrics, calls };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

const get = {
  method: 'GET',
  path: '/v2/transcript/abc',
  route: '/v2/transcript/:id',
  idempotent: true,
} as const;
const submit = {
  method: 'POST',
  path: '/v2/transcript',
  body: { audio_url: 'https://x/a.mp3' },
  idempotent: false,
} as const;

describe('HttpClient wire format', () => {
  it('sends the raw key, JSON body and query, and reports templated metrics', async () => {
    const { agent, mock, http, metrics } = setup();
    mock
      .intercept({ path: '/v2/transcript?limit=2&status=completed', method: 'POST' })
      .reply(200, { ok: true });
    const res = await http.send({
      method: 'POST',
      path: '/v2/transcript',
      query: { limit: 2, status: 'completed', before_id: undefined },
      body: { audio_url: 'https://x/a.mp3' },
      idempotent: false,
    });
    expect(res).toMatchObject({ data: { ok: true }, statusCode: 200, attempts: 1 });
    const call = agent.getCallHistory()?.lastCall();
    expect(call?.headers).toMatchObject({ authorization: KEY, 'content-type': 'application/json' });
    expect(JSON.parse(String(call?.body))).toEqual({ audio_url: 'https://x/a.mp3' });
    expect(metrics).toEqual([
      expect.objectContaining({ method: 'POST', route: '/v2/transcript', statusCode: 200 }),
    ]);
  });

  it('keeps a base path prefix and uses the route template in metrics', async () => {
    const { mock, http, metrics } = setup({ baseUrl: `${ORIGIN}/proxy/` });
    mock.intercept({ path: '/proxy/v2/transcript/abc' }).reply(200, { id: 'abc' });
    await expect(http.request(get)).resolves.toEqual({ id: 'abc' });
    expect(metrics[0]?.route).toBe('/proxy/v2/transcript/:id');
  });
});

describe('HttpClient status classification', () => {
  // As AssemblyAIClient and GatewayClient configure it: production's 400 for an unknown transcript id.
  const notFoundMessage = /transcript lookup error|transcript id not found/i;
  const cases = [
    {
      status: 400,
      body: { error: 'format_text must be a Boolean' },
      type: BadRequestError,
      code: 'E_BAD_REQUEST',
    },
    { status: 401, body: { error: 'Authentication error' }, type: AuthError, code: 'E_AUTH' },
    { status: 403, body: { error: 'Cannot access uploaded file' }, type: AuthError, code: 'E_AUTH' },
    { status: 404, body: { error: 'Not found' }, type: NotFoundError, code: 'E_NOT_FOUND' },
    {
      status: 400,
      body: { error: 'Transcript lookup error, transcript id not found' },
      type: NotFoundError,
      code: 'E_NOT_FOUND',
    },
    { status: 418, body: { error: 'teapot' }, type: ApiError, code: 'E_HTTP_418' },
    {
      status: 429,
      body: { error: 'Too Many Requests' },
      type: RateLimitError,
      code: 'E_RATE_LIMITED',
      retry: true,
    },
    {
      status: 500,
      body: { error: 'Internal Server Error' },
      type: ServerError,
      code: 'E_SERVER',
      retry: true,
    },
    { status: 501, body: { error: 'Not Implemented' }, type: ServerError, code: 'E_SERVER' },
    { status: 502, body: 'Bad Gateway', type: ServerError, code: 'E_SERVER', retry: true },
    { status: 503, body: '', type: ServerError, code: 'E_SERVER', retry: true },
    { status: 504, body: '<html>Gateway Timeout</html>', type: ServerError, code: 'E_SERVER', retry: true },
  ];
  it.each(cases)('$status $code', async ({ status, body, type, code, retry }) => {
    const { mock, http, calls } = setup({ retry: { maxAttempts: 1 }, notFoundMessage });
    mock.intercept({ path: get.path }).reply(status, body);
    const err = await failure(http.request(get));
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code, statusCode: status, retryable: retry ?? false, sent: true });
    expect(err).toMatchObject({ method: 'GET', path: '/v2/transcript/abc' });
    expect(calls()).toBe(1);
    if (typeof body === 'object') expect(err.apiMessage).toBe(body.error);
    expect(err.message).toContain(String(status));
  });

  it('reads both error body shapes and plain text', async () => {
    const { mock, http } = setup();
    mock
      .intercept({ path: get.path })
      .reply(400, { error: { code: 400, message: 'bad model', metadata: {} } });
    mock.intercept({ path: get.path }).reply(400, { error: 'flat message' });
    mock.intercept({ path: get.path }).reply(400, '  upstream   said\nno ');
    expect((await failure(http.request(get))).apiMessage).toBe('bad model');
    expect((await failure(http.request(get))).apiMessage).toBe('flat message');
    expect((await failure(http.request(get))).apiMessage).toBe('upstream said no');
  });

  it('parses Retry-After seconds and X-RateLimit-Reset into retryAfterMs', async () => {
    const { mock, http } = setup({ retry: { maxAttempts: 1 } });
    mock
      .intercept({ path: get.path })
      .reply(429, { error: 'slow down' }, { headers: { 'retry-after': '7' } });
    mock
      .intercept({ path: get.path })
      .reply(429, { error: 'slow down' }, { headers: { 'x-ratelimit-reset': '12' } });
    expect((await failure(http.request(get))).retryAfterMs).toBe(7000);
    expect((await failure(http.request(get))).retryAfterMs).toBe(12_000);
  });

  it('rejects a 2xx body that is not JSON', async () => {
    const { mock, http } = setup();
    mock.intercept({ path: get.path }).reply(200, '<html>captive portal</html>');
    const err = await failure(http.request(get));
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err).toMatchObject({ code: 'E_INVALID_RESPONSE', statusCode: 200, retryable: false });
  });
});

describe('HttpClient retries', () => {
  it('waits at least Retry-After on 429, then succeeds', async () => {
    const { mock, http, calls } = setup();
    mock
      .intercept({ path: get.path })
      .reply(429, { error: 'Too Many Requests' }, { headers: { 'retry-after': '1' } });
    mock.intercept({ path: get.path }).reply(200, { id: 'abc' });
    const started = Date.now();
    const res = await http.send(get);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(res.attempts).toBe(2);
    expect(calls()).toBe(2);
  });

  it.each([400, 401])('does not retry %i', async (status) => {
    const { mock, http, calls } = setup();
    mock.intercept({ path: get.path }).reply(status, { error: 'no' }).persist();
    const err = await failure(http.request(get));
    expect(err.statusCode).toBe(status);
    expect(calls()).toBe(1);
  });

  it('retries an idempotent GET on 503 and on a reset', async () => {
    const { mock, http, calls } = setup();
    mock.intercept({ path: get.path }).reply(503, 'busy');
    mock
      .intercept({ path: get.path })
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    mock.intercept({ path: get.path }).reply(200, { id: 'abc' });
    await expect(http.request(get)).resolves.toEqual({ id: 'abc' });
    expect(calls()).toBe(3);
  });

  it('does not repeat a POST submit after a 500', async () => {
    const { mock, http, calls } = setup();
    mock.intercept({ path: '/v2/transcript', method: 'POST' }).reply(500, { error: 'oops' }).persist();
    const err = await failure(http.request(submit));
    expect(err).toBeInstanceOf(ServerError);
    expect(err.retryable).toBe(true);
    expect(calls()).toBe(1);
  });

  it('does not repeat a POST submit after a connection reset', async () => {
    const { mock, http, calls } = setup();
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    mock.intercept({ path: '/v2/transcript', method: 'POST' }).replyWithError(reset).persist();
    const err = await failure(http.request(submit));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: 'E_NETWORK', sent: true, retryable: true });
    expect(calls()).toBe(1);
  });

  it('repeats a POST submit after 429 and after a refused connection', async () => {
    const { mock, http, calls } = setup();
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    mock.intercept({ path: '/v2/transcript', method: 'POST' }).reply(429, { error: 'slow' });
    mock.intercept({ path: '/v2/transcript', method: 'POST' }).replyWithError(refused);
    mock.intercept({ path: '/v2/transcript', method: 'POST' }).reply(200, { id: 't1', status: 'queued' });
    await expect(http.request(submit)).resolves.toEqual({ id: 't1', status: 'queued' });
    expect(calls()).toBe(3);
  });

  it('stops after maxAttempts', async () => {
    const { mock, http, calls } = setup({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    mock.intercept({ path: get.path }).reply(503, 'busy').persist();
    const err = await failure(http.request(get));
    expect(err).toMatchObject({ code: 'E_SERVER', attempts: 3 });
    expect(calls()).toBe(3);
  });

  it('stops when the next wait would pass maxTotalMs', async () => {
    const retry = { maxAttempts: 100, baseDelayMs: 60, maxDelayMs: 60, maxTotalMs: 150 };
    const { mock, http, calls } = setup({ retry });
    mock.intercept({ path: get.path }).reply(503, 'busy').persist();
    mock.intercept({ path: '/other' }).reply(429, 'no', { headers: { 'retry-after': '5' } });
    const started = Date.now();
    await failure(http.request(get));
    expect(Date.now() - started).toBeLessThan(400);
    expect(calls()).toBeGreaterThan(1);
    expect(calls()).toBeLessThan(100);
    // A Retry-After longer than the whole budget is not waited for at all.
    const before = Date.now();
    const err = await failure(http.request({ ...get, path: '/other' }));
    expect(err).toMatchObject({ code: 'E_RATE_LIMITED', retryAfterMs: 5000, attempts: 1 });
    expect(Date.now() - before).toBeLessThan(200);
  });

  it('times out a slow response and retries a GET', async () => {
    const { mock, http, calls, metrics } = setup({
      requestTimeoutMs: 100,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    mock.intercept({ path: get.path }).reply(200, { id: 'late' }).delay(250).persist();
    const started = Date.now();
    const err = await failure(http.request(get));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'E_TIMEOUT', retryable: true, sent: true, attempts: 2 });
    expect(Date.now() - started).toBeLessThan(245 * 2);
    expect(calls()).toBe(2);
    expect(metrics.map((m) => m.errorCode)).toEqual(['E_TIMEOUT', 'E_TIMEOUT']);
  });

  it('lets the caller abort a backoff wait without retrying', async () => {
    const { mock, http, calls } = setup();
    // Retry-After makes the wait long for sure; jitter alone could pick a few milliseconds.
    mock
      .intercept({ path: get.path })
      .reply(503, 'busy', { headers: { 'retry-after': '5' } })
      .persist();
    const controller = new AbortController();
    const started = Date.now();
    const request = http.request({ ...get, signal: controller.signal });
    // Aborted once the first answer (503, Retry-After 5 s) is in: during the backoff wait.
    await expect.poll(calls, { interval: 1 }).toBe(1);
    controller.abort();
    await expect(request).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls()).toBe(1);
  });

  it('survives a metrics callback that throws', async () => {
    const { mock, http } = setup({
      onMetrics: () => {
        throw new Error('exporter broke');
      },
    });
    mock.intercept({ path: get.path }).reply(200, { id: 'abc' });
    await expect(http.request(get)).resolves.toEqual({ id: 'abc' });
  });
});

describe('HttpClient never leaks the API key', () => {
  function assertClean(err: ApiError) {
    for (const text of [
      err.message,
      String(err),
      JSON.stringify(err),
      err.stack ?? '',
      err.apiMessage ?? '',
    ]) {
      expect(text).not.toContain(KEY);
    }
    const cause = err.cause as Error | undefined;
    if (cause) expect(`${cause.message} ${cause.stack}`).not.toContain(KEY);
  }

  it('masks a key echoed by the server in JSON or text bodies', async () => {
    const { mock, http } = setup();
    mock.intercept({ path: get.path }).reply(401, { error: `invalid token ${KEY}` });
    mock.intercept({ path: get.path }).reply(400, `bad header authorization: ${KEY}`);
    for (let i = 0; i < 2; i++) {
      const err = await failure(http.request(get));
      assertClean(err);
      expect(err.message).toContain('[REDACTED]');
    }
  });

  it('masks a key inside a transport error and its cause', async () => {
    const { mock, http } = setup({ retry: { maxAttempts: 1 } });
    const boom = Object.assign(new Error(`socket closed while sending ${KEY}`), { code: 'UND_ERR_SOCKET' });
    mock.intercept({ path: get.path }).replyWithError(boom);
    const err = await failure(http.request(get));
    expect(err).toBeInstanceOf(NetworkError);
    assertClean(err);
  });
});

describe('HttpClient with its own pool (real sockets on localhost)', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
    const created = createServer(handler);
    server = created;
    await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
    return (created.address() as AddressInfo).port;
  }

  it('marks a refused connection as never sent and retries even a POST', async () => {
    const port = await listen(() => undefined);
    await new Promise((resolve) => server?.close(resolve));
    const http = new HttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    clients.push(http);
    const err = await failure(http.request(submit));
    expect(err).toMatchObject({ code: 'E_NETWORK', sent: false, retryable: true, attempts: 2 });
  });

  it('times out with the pool when no headers arrive', async () => {
    const port = await listen(() => undefined);
    const http = new HttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      requestTimeoutMs: 150,
      retry: { maxAttempts: 1 },
    });
    clients.push(http);
    const err = await failure(http.request(get));
    expect(err).toMatchObject({ code: 'E_TIMEOUT', sent: true });
  });
});
