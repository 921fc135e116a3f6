import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InvalidRequestError, InvalidResponseError, NotFoundError, ServerError } from '@mediatag/http';
import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AssemblyAIClient } from './transcripts.ts';

const ORIGIN = 'https://api.test';
const KEY = 'aai-test-key-0f1e2d3c4b5a';

let agent: MockAgent;
let client: AssemblyAIClient;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aai-upload-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup() {
  agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  client = new AssemblyAIClient({
    baseUrl: ORIGIN,
    apiKey: KEY,
    dispatcher: agent,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  return agent.get(ORIGIN);
}

afterEach(async () => {
  await client.close();
  await agent.close();
});

const calls = () => agent.getCallHistory()?.calls() ?? [];

/** Reads a request body the mock received; MockAgent hands over the stream undici would send. */
async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  return Buffer.from(String(body ?? ''));
}

/** A reply body computed asynchronously (MockAgent awaits it, its types do not say so). */
function asyncReply<T extends object>(fn: (opts: { body?: unknown }) => Promise<T>) {
  return fn as unknown as (opts: { body?: unknown }) => T;
}

const transcript = { id: 't-1', status: 'queued', audio_url: 'https://x/a.mp3', speech_model_used: null };

describe('submitTranscript', () => {
  it('sends speech_models and only defined fields, never speech_model', async () => {
    const mock = setup();
    mock.intercept({ path: '/v2/transcript', method: 'POST' }).reply(200, transcript);
    const result = await client.submitTranscript({
      audio_url: 'https://x/a.mp3',
      speech_models: ['universal-3-pro', 'universal-2'],
      webhook_url: 'https://hooks.test/aai',
      webhook_auth_header_name: 'x-hook',
      webhook_auth_header_value: 'hook-secret',
      language_code: undefined,
    });
    expect(result).toMatchObject({ id: 't-1', status: 'queued' });
    const sent = JSON.parse(String(calls()[0]?.body));
    expect(sent).toEqual({
      audio_url: 'https://x/a.mp3',
      speech_models: ['universal-3-pro', 'universal-2'],
      webhook_url: 'https://hooks.test/aai',
      webhook_auth_header_name: 'x-hook',
      webhook_auth_header_value: 'hook-secret',
    });
    expect(calls()[0]?.headers).toMatchObject({ authorization: KEY });
  });

  it('sends transcription options (speaker labels, PII redaction) as given', async () => {
    const mock = setup();
    mock.intercept({ path: '/v2/transcript', method: 'POST' }).reply(200, transcript);
    await client.submitTranscript({
      audio_url: 'https://x/a.mp3',
      speech_models: ['universal-3-pro'],
      speaker_labels: true,
      redact_pii: true,
      redact_pii_policies: ['credit_card_number', 'person_name'],
    });
    expect(JSON.parse(String(calls()[0]?.body))).toEqual({
      audio_url: 'https://x/a.mp3',
      speech_models: ['universal-3-pro'],
      speaker_labels: true,
      redact_pii: true,
      redact_pii_policies: ['credit_card_number', 'person_name'],
    });
  });

  it('refuses speech_model and a missing audio_url before sending anything', async () => {
    setup();
    const legacy = { audio_url: 'https://x/a.mp3', speech_model: 'best' } as never;
    await expect(client.submitTranscript(legacy)).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(client.submitTranscript({ audio_url: '' })).rejects.toMatchObject({
      code: 'E_INVALID_REQUEST',
    });
    await expect(client.submitTranscript({ audio_url: 'u', speech_models: [] })).rejects.toMatchObject({
      sent: false,
    });
    expect(calls()).toHaveLength(0);
  });

  it('is not repeated after a 500 (the job layer decides)', async () => {
    const mock = setup();
    mock.intercept({ path: '/v2/transcript', method: 'POST' }).reply(500, { error: 'oops' }).persist();
    await expect(client.submitTranscript({ audio_url: 'https://x/a.mp3' })).rejects.toBeInstanceOf(
      ServerError,
    );
    expect(calls()).toHaveLength(1);
  });
});

describe('getTranscript and deleteTranscript', () => {
  it('returns a completed transcript with words', async () => {
    const mock = setup();
    const done = {
      ...transcript,
      status: 'completed',
      text: 'Hi.',
      words: [{ text: 'Hi.', start: 0, end: 300 }],
    };
    mock.intercept({ path: '/v2/transcript/t-1' }).reply(200, done);
    mock.intercept({ path: '/v2/transcript/t-1', method: 'DELETE' }).reply(200, { ...done, text: null });
    await expect(client.getTranscript('t-1')).resolves.toMatchObject({ status: 'completed', text: 'Hi.' });
    await expect(client.deleteTranscript('t-1')).resolves.toMatchObject({ id: 't-1', text: null });
  });

  it('treats 404 and the production 400 lookup error as not found', async () => {
    const mock = setup();
    mock.intercept({ path: '/v2/transcript/nope' }).reply(404, { error: 'Not found' });
    mock
      .intercept({ path: '/v2/transcript/nope' })
      .reply(400, { error: 'Transcript lookup error, transcript id not found' });
    await expect(client.getTranscript('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.getTranscript('nope')).rejects.toBeInstanceOf(NotFoundError);
    expect(calls()).toHaveLength(2);
  });

  it('rejects a transcript without id or with an unknown status', async () => {
    const mock = setup();
    mock.intercept({ path: '/v2/transcript/t-1' }).reply(200, { status: 'completed' });
    mock.intercept({ path: '/v2/transcript/t-1' }).reply(200, { id: 't-1', status: 'done' });
    await expect(client.getTranscript('t-1')).rejects.toBeInstanceOf(InvalidResponseError);
    await expect(client.getTranscript('t-1')).rejects.toMatchObject({ code: 'E_INVALID_RESPONSE' });
  });

  it('encodes the id and refuses an empty one', async () => {
    const mock = setup();
    mock.intercept({ path: '/v2/transcript/a%2Fb' }).reply(200, { id: 'a/b', status: 'processing' });
    await expect(client.getTranscript('a/b')).resolves.toMatchObject({ status: 'processing' });
    await expect(client.getTranscript(' ')).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('listTranscripts', () => {
  const row = (id: string) => ({
    id,
    resource_url: `${ORIGIN}/v2/transcript/${id}`,
    status: 'completed',
    created: '2026-03-01T10:00:00',
    completed: '2026-03-01T10:00:30',
    audio_url: 'https://x/a.mp3',
    error: null,
  });

  it('follows prev_url cursors to older pages on our own base URL', async () => {
    const mock = setup();
    mock.intercept({ path: '/v2/transcript?limit=2&status=completed' }).reply(200, {
      page_details: {
        limit: 2,
        result_count: 2,
        current_url: 'https://api.assemblyai.com/v2/transcript?limit=2',
        // A foreign host in prev_url must not receive our key: only its query is used.
        prev_url: 'https://elsewhere.example/v2/transcript?limit=2&status=completed&before_id=b',
        next_url: null,
      },
      transcripts: [row('a'), row('b')],
    });
    mock.intercept({ path: '/v2/transcript?limit=2&before_id=b&status=completed' }).reply(200, {
      page_details: { limit: 2, result_count: 1, current_url: 'x', prev_url: null, next_url: 'y' },
      transcripts: [row('c')],
    });
    const ids: string[] = [];
    for await (const item of client.iterateTranscripts({ limit: 2, status: 'completed' })) ids.push(item.id);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(calls().map((c) => c.origin)).toEqual([ORIGIN, ORIGIN]);
  });

  it('validates limit and the page shape', async () => {
    const mock = setup();
    await expect(client.listTranscripts({ limit: 500 })).rejects.toBeInstanceOf(InvalidRequestError);
    mock.intercept({ path: '/v2/transcript' }).reply(200, { transcripts: [] });
    await expect(client.listTranscripts()).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe('upload', () => {
  it('streams a file and re-opens it for the retry', async () => {
    const mock = setup();
    const content = randomBytes(300 * 1024);
    const file = join(dir, 'audio.bin');
    await writeFile(file, content);
    const received: Buffer[] = [];
    const contentLengths: unknown[] = [];
    const record = asyncReply(async (opts: { body?: unknown; headers?: unknown }) => {
      received.push(await bodyBytes(opts.body));
      contentLengths.push((opts.headers as Record<string, string>)['content-length']);
      return { error: 'busy' };
    });
    mock.intercept({ path: '/v2/upload', method: 'POST' }).reply(503, record);
    mock.intercept({ path: '/v2/upload', method: 'POST' }).reply(
      200,
      asyncReply(async (opts) => {
        received.push(await bodyBytes(opts.body));
        return { upload_url: 'https://cdn.test/upload/u1' };
      }),
    );
    await expect(client.upload(file)).resolves.toEqual({ upload_url: 'https://cdn.test/upload/u1' });
    expect(received).toHaveLength(2);
    // The second attempt got every byte again: a consumed stream would have sent nothing.
    expect(received[0]?.equals(content)).toBe(true);
    expect(received[1]?.equals(content)).toBe(true);
    expect(contentLengths).toEqual([String(content.length)]);
    expect(calls()[0]?.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      authorization: KEY,
    });
  });

  it('calls a stream factory once per attempt', async () => {
    const mock = setup();
    let opened = 0;
    const factory = () => {
      opened++;
      return Readable.from([Buffer.from('abc'), Buffer.from('def')]);
    };
    const received: string[] = [];
    const reply = (status: number) =>
      asyncReply(async (opts) => {
        received.push((await bodyBytes(opts.body)).toString());
        return status === 200 ? { upload_url: 'https://cdn.test/upload/u2' } : { error: 'no' };
      });
    mock.intercept({ path: '/v2/upload', method: 'POST' }).reply(502, reply(502));
    mock.intercept({ path: '/v2/upload', method: 'POST' }).reply(200, reply(200));
    await expect(client.upload(factory)).resolves.toEqual({ upload_url: 'https://cdn.test/upload/u2' });
    expect(opened).toBe(2);
    expect(received).toEqual(['abcdef', 'abcdef']);
  });

  it('refuses a missing file without sending anything', async () => {
    setup();
    await expect(client.upload(join(dir, 'missing.mp3'))).rejects.toMatchObject({
      code: 'E_INVALID_REQUEST',
    });
    expect(calls()).toHaveLength(0);
  });

  it('rejects an upload answer without upload_url', async () => {
    const mock = setup();
    mock.intercept({ path: '/v2/upload', method: 'POST' }).reply(200, { url: 'x' });
    await expect(client.upload(() => Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
      InvalidResponseError,
    );
  });
});
