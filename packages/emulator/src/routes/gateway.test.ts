import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../index.ts';
import { MEDIA_TAXONOMY, PRESET_TAXONOMIES, SAMPLES } from '../samples/index.ts';
import { client, taggingPrompt, waitFor } from '../testing.ts';
import { injectTranscript } from './gateway-messages.ts';

let emu: Emulator;
let api: ReturnType<typeof client>;
const MODEL = 'claude-sonnet-4-5-20250929';

beforeAll(async () => {
  // Over 40 calls to one model: more than the default 30 a minute.
  emu = await startEmulator({ timeScale: 0, concurrency: 50, gateway: { requestsPerMinute: null } });
  api = client(emu.url);
});
afterAll(() => emu.close());

async function completedTranscript(audioUrl: string): Promise<string> {
  const created = await api.submit(audioUrl);
  await waitFor(async () => (await api.get(`/v2/transcript/${created.body.id}`)).body.status === 'completed');
  return created.body.id;
}

const chat = (body: Record<string, unknown>) => api.post('/v1/chat/completions', { model: MODEL, ...body });

describe('LLM Gateway', () => {
  it('tags every sample with its expected topic through the full pipeline', async () => {
    const ids = await Promise.all(
      SAMPLES.map((s) => completedTranscript(`http://media.example/samples/${s.id}.mp3?copy=3`)),
    );
    for (const [i, sample] of SAMPLES.entries()) {
      const reply = await chat({
        transcript_id: ids[i],
        messages: [{ role: 'user', content: taggingPrompt(PRESET_TAXONOMIES[sample.taxonomy]) }],
        max_tokens: 20,
      });
      expect(reply.status).toBe(200);
      expect(reply.body.choices[0].message.content, sample.id).toBe(sample.expectedTopic);
      expect(reply.body.choices[0].finish_reason).toBe('stop');
      const { input_tokens, output_tokens, total_tokens } = reply.body.usage;
      expect(input_tokens).toBeGreaterThan(sample.text.length / 4);
      expect(total_tokens).toBe(input_tokens + output_tokens);
    }
    expect(emu.stats().gatewayCalls).toBeGreaterThanOrEqual(SAMPLES.length);
  });

  it('also tags when the text is inlined and the tags come as a JSON object', async () => {
    const sample = SAMPLES.find((s) => s.id === 'finance-01');
    const prompt = `Pick one topic from ${JSON.stringify(MEDIA_TAXONOMY)} for this text:\n\n${sample?.text}`;
    const reply = await chat({ prompt });
    expect(reply.body.choices[0].message.content).toBe('Finance');
  });

  it('injects only at the first {{ transcript }} of the first message containing it', async () => {
    const id = await completedTranscript('https://x.example/injection.mp3');
    const text = (await api.get(`/v2/transcript/${id}`)).body.text as string;
    const placeholder = '{{ transcript }}';
    const messages = [
      { role: 'system', content: 'You summarise. {{transcript}} (no spaces: not a placeholder)' },
      { role: 'user', content: `A: ${placeholder}\nB: ${placeholder}` },
      { role: 'user', content: `C: ${placeholder}` },
    ];
    const reply = await chat({ transcript_id: id, messages });
    expect(reply.status).toBe(200);
    // The prompt the stand-in saw is reflected in the token count: exactly one injection.
    const seen = [messages[0]?.content, `A: ${text}\nB: ${placeholder}`, `C: ${placeholder}`].join('\n\n');
    expect(reply.body.usage.input_tokens).toBe(Math.ceil(seen.length / 4));
  });

  it('keeps $ sequences in the transcript literal when injecting', () => {
    const { messages, injected } = injectTranscript(
      [{ role: 'user', content: [{ type: 'text', text: 'Text: {{ transcript }} {{ transcript }}' }] }],
      'it cost $& and $1',
    );
    expect(injected).toBe(true);
    expect(messages[0]?.content).toEqual([
      { type: 'text', text: 'Text: it cost $& and $1 {{ transcript }}' },
    ]);
  });

  it('answers 404 for an unknown or unfinished transcript and 400 for bad requests', async () => {
    const unknown = await chat({ transcript_id: 'does-not-exist', prompt: '{{ transcript }}' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 404, metadata: {} } });
    const slow = await startEmulator({ timeScale: 1000 });
    try {
      const slowApi = client(slow.url);
      const queued = await slowApi.submit('https://x.example/slow.mp3');
      const early = await slowApi.post('/v1/chat/completions', {
        model: MODEL,
        transcript_id: queued.body.id,
        prompt: '{{ transcript }}',
      });
      expect(early.status).toBe(404);
    } finally {
      await slow.close();
    }
    expect((await api.post('/v1/chat/completions', { prompt: 'no model' })).status).toBe(400);
    expect((await chat({})).status).toBe(400);
    expect((await chat({ messages: [{ content: 'no role' }] })).status).toBe(400);
    expect((await chat({ prompt: 'x', max_tokens: 0 })).status).toBe(400);
  });

  it('answers generically without a tag list, truncates at max_tokens, wraps json_schema', async () => {
    const plain = await chat({ messages: [{ role: 'user', content: 'Tell me about climate and oceans.' }] });
    expect(plain.body.choices[0].message.content).toMatch(/^This text is mainly about /);
    const short = await chat({ prompt: 'Tell me about climate and oceans and forests.', max_tokens: 2 });
    expect(short.body.choices[0].finish_reason).toBe('length');
    expect(short.body.choices[0].message.content.length).toBeLessThanOrEqual(8);
    const json = await chat({
      prompt: taggingPrompt(MEDIA_TAXONOMY, SAMPLES[0]?.text),
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'tag', schema: { type: 'object', properties: { topic: { type: 'string' } } } },
      },
    });
    expect(JSON.parse(json.body.choices[0].message.content)).toEqual({ topic: 'Sports' });
  });
});
