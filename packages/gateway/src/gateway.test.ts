import { ApiError, InvalidRequestError, NotFoundError, RateLimitError } from '@mediatag/http';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClient } from './client.ts';
import type { GatewayClientOptions } from './types.ts';

const ORIGIN = 'https://llm.test';
const KEY = 'gw-key-a1b2c3d4e5f60718';
const PATH = '/v1/chat/completions';

let agent: MockAgent;
let client: GatewayClient;

afterEach(async () => {
  await client.close();
  await agent.close();
});

function setup(options: Partial<GatewayClientOptions> = {}) {
  agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  client = new GatewayClient({
    baseUrl: ORIGIN,
    apiKey: KEY,
    mode: 'transcript_id',
    dispatcher: agent,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  return agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' });
}

const calls = () => agent.getCallHistory()?.calls() ?? [];
const sentBody = (i = 0) => JSON.parse(String(calls()[i]?.body));

const assemblyAnswer = {
  request_id: 'req-1',
  choices: [{ message: { role: 'assistant', content: '{"topics":["sport"]}' }, finish_reason: 'stop' }],
  usage: { input_tokens: 1200, output_tokens: 30, total_tokens: 1230 },
};
const openAiAnswer = {
  id: 'chatcmpl-9',
  choices: [{ index: 0, message: { role: 'assistant', content: 'sport' }, finish_reason: 'length' }],
  usage: { prompt_tokens: 50, completion_tokens: 7 },
};

const messages = [
  { role: 'system', content: 'You tag topics.' },
  { role: 'user', content: 'Transcript: {{ transcript }}\nRepeat: {{ transcript }}' },
  { role: 'user', content: 'Also {{ transcript }}' },
];

describe('GatewayClient transcript_id mode', () => {
  it('sends transcript_id and leaves the placeholder for the gateway', async () => {
    setup().reply(200, assemblyAnswer, {
      headers: { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '29', 'x-ratelimit-reset': '41' },
    });
    const result = await client.chat({
      model: 'claude-sonnet-4-5-20250929',
      messages,
      max_tokens: 200,
      temperature: 0,
      transcriptId: 'tr-42',
      transcriptText: 'ignored in this mode',
    });
    expect(result).toEqual({
      content: '{"topics":["sport"]}',
      finishReason: 'stop',
      requestId: 'req-1',
      usage: { inputTokens: 1200, outputTokens: 30, totalTokens: 1230 },
      rateLimit: { limit: 30, remaining: 29, resetMs: 41_000 },
    });
    expect(sentBody()).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      messages,
      max_tokens: 200,
      temperature: 0,
      transcript_id: 'tr-42',
    });
    expect(calls()[0]?.headers).toMatchObject({ authorization: KEY, 'content-type': 'application/json' });
  });

  it('refuses a placeholder without transcriptId before sending', async () => {
    setup().reply(200, assemblyAnswer);
    await expect(client.chat({ model: 'm', messages })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(
      client.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], transcriptId: 't' }),
    ).rejects.toMatchObject({ code: 'E_INVALID_REQUEST', sent: false });
    expect(calls()).toHaveLength(0);
  });

  it('maps an unknown transcript id (404, nested error body) to NotFoundError', async () => {
    setup().reply(404, { error: { code: 404, message: 'Transcript not found', metadata: {} } });
    const err = await client.chat({ model: 'm', messages, transcriptId: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ apiMessage: 'Transcript not found', statusCode: 404 });
    expect(calls()).toHaveLength(1);
  });

  it("maps production's 400 lookup error for an unknown transcript id to NotFoundError", async () => {
    setup().reply(400, { error: 'Transcript lookup error, transcript id not found' });
    const err = await client.chat({ model: 'm', messages, transcriptId: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 'E_NOT_FOUND', statusCode: 400 });
  });
});

describe('GatewayClient inline mode', () => {
  it('pastes the text into the first placeholder of the first message only', async () => {
    setup({ mode: 'inline', baseUrl: 'https://llm.test' }).reply(200, openAiAnswer);
    const result = await client.chat({
      model: 'gpt-5-mini',
      messages,
      transcriptText: 'We talked $& football.',
    });
    const body = sentBody();
    expect(body.transcript_id).toBeUndefined();
    expect(body.messages).toEqual([
      { role: 'system', content: 'You tag topics.' },
      { role: 'user', content: 'Transcript: We talked $& football.\nRepeat: {{ transcript }}' },
      { role: 'user', content: 'Also {{ transcript }}' },
    ]);
    expect(messages[1]?.content).toContain('Transcript: {{ transcript }}');
    expect(result).toEqual({
      content: 'sport',
      finishReason: 'length',
      requestId: 'chatcmpl-9',
      usage: { inputTokens: 50, outputTokens: 7, totalTokens: 57 },
    });
  });

  it('requires transcriptText when a placeholder is present', async () => {
    setup({ mode: 'inline' }).reply(200, openAiAnswer);
    await expect(client.chat({ model: 'm', messages, transcriptId: 'tr-1' })).rejects.toThrow(
      /transcriptText/,
    );
    expect(calls()).toHaveLength(0);
  });
});

describe('GatewayClient retries', () => {
  it('waits for X-RateLimit-Reset on 429, then succeeds', async () => {
    const scope = setup();
    scope.reply(429, { error: 'rate limited' }, { headers: { 'x-ratelimit-reset': '0.2' } });
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(200, assemblyAnswer);
    const started = Date.now();
    await expect(client.chat({ model: 'm', messages, transcriptId: 't' })).resolves.toMatchObject({
      content: '{"topics":["sport"]}',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(calls()).toHaveLength(2);
  });

  it('reports retryAfterMs on a final 429', async () => {
    setup({ retry: { maxAttempts: 1 } }).reply(429, 'slow down', { headers: { 'x-ratelimit-reset': '17' } });
    const err = await client.chat({ model: 'm', messages, transcriptId: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ retryAfterMs: 17_000, apiMessage: 'slow down' });
  });

  it('retries a 500 by default and not when retryAllErrors is false', async () => {
    setup().reply(500, { error: 'upstream model failed' });
    agent.get(ORIGIN).intercept({ path: PATH, method: 'POST' }).reply(200, assemblyAnswer);
    await expect(client.chat({ model: 'm', messages, transcriptId: 't' })).resolves.toBeDefined();
    expect(calls()).toHaveLength(2);
    await client.close();
    await agent.close();

    setup({ retryAllErrors: false }).reply(500, { error: 'upstream model failed' }).persist();
    const err = await client.chat({ model: 'm', messages, transcriptId: 't' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'E_SERVER', retryable: true });
    expect(calls()).toHaveLength(1);
  });

  it('rejects an answer without text content', async () => {
    setup().reply(200, { choices: [{ message: { role: 'assistant', content: null } }] });
    await expect(client.chat({ model: 'm', messages, transcriptId: 't' })).rejects.toMatchObject({
      code: 'E_INVALID_RESPONSE',
    });
  });
});
