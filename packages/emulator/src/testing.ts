// Helpers for this package's tests: a raw HTTP client (deliberately not the project's AssemblyAI
// client package, so the emulator is checked against the wire format alone) and a poll helper.

import { request } from 'undici';
import type { Taxonomy } from './samples/taxonomies.ts';

/** A JSON body inspected ad hoc by tests. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response fields; the spec test checks shapes.
export type Body = any;

/** One HTTP answer. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Body;
  text: string;
}

/** A minimal HTTP client bound to one emulator URL and API key. */
export function client(baseUrl: string, apiKey: string | null = 'emulator-key') {
  const send = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
    const headers: Record<string, string> = { ...extra };
    if (apiKey !== null) headers.authorization = apiKey;
    let payload: string | Buffer | undefined;
    if (Buffer.isBuffer(body)) {
      payload = body;
      headers['content-type'] ??= 'application/octet-stream';
    } else if (typeof body === 'string') {
      payload = body;
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await request(`${baseUrl}${path}`, {
      method: method as 'GET',
      headers,
      body: payload ?? null,
    });
    const text = await res.body.text();
    let parsed: Body = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: res.statusCode, headers: res.headers, body: parsed, text } satisfies Reply;
  };
  return {
    get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      send('POST', path, body, headers),
    del: (path: string) => send('DELETE', path),
    submit: (audioUrl: string, extra: Record<string, unknown> = {}) =>
      send('POST', '/v2/transcript', { audio_url: audioUrl, ...extra }),
  };
}

/** Poll `probe` until it returns something truthy, or fail after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 5_000,
  intervalMs = 5,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The exact prompt the project's tagging worker sends (one user message). */
export function taggingPrompt(taxonomy: Taxonomy, transcript = '{{ transcript }}'): string {
  const lines = Object.entries(taxonomy).map(([name, description]) => `- ${name}: ${description}`);
  return [
    'You are tagging a media transcript with exactly one topic.',
    'Tags:',
    ...lines,
    '',
    'Transcript:',
    transcript,
    '',
    'Answer with the single most relevant tag name from the list, exactly as written, and nothing else.',
  ].join('\n');
}

/** The batched prompt the tagging worker sends: one `### <key>` section per transcript excerpt. */
export function batchedTaggingPrompt(
  taxonomy: Taxonomy,
  excerpts: ReadonlyArray<[key: string, text: string]>,
) {
  const lines = Object.entries(taxonomy).map(([name, description]) => `- ${name}: ${description}`);
  return [
    `You are tagging ${excerpts.length} media transcripts, each with exactly one topic.`,
    'Tags:',
    ...lines,
    '',
    'Each transcript below starts with a line "### <key>".',
    '',
    ...excerpts.flatMap(([key, text]) => [`### ${key}`, text, '']),
    'Answer with JSON {"answers": [{"key": ..., "topic": ...}]}: one item per transcript key, each topic exactly one tag name from the list.',
  ].join('\n');
}

/** The response_format of a batched tagging request. */
export function batchedResponseFormat(keys: readonly string[], topics: readonly string[]) {
  return {
    type: 'json_schema',
    json_schema: {
      name: 'topics',
      strict: true,
      schema: {
        type: 'object',
        properties: {
          answers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string', enum: keys },
                topic: { type: 'string', enum: topics },
              },
              required: ['key', 'topic'],
              additionalProperties: false,
            },
          },
        },
        required: ['answers'],
        additionalProperties: false,
      },
    },
  };
}
