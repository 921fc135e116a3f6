import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOverrides, startEmulator } from '../index.ts';
import { MEDIA_TAXONOMY, SAMPLES } from '../samples/index.ts';
import { batchedResponseFormat, batchedTaggingPrompt, client, taggingPrompt } from '../testing.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(options: EmulatorOverrides = {}) {
  emu = await startEmulator({ timeScale: 0, gateway: { requestsPerMinute: null }, ...options });
  return { emu, api: client(emu.url) };
}

const sports = SAMPLES.find((s) => s.expectedTopic === 'Sports');
const finance = SAMPLES.find((s) => s.expectedTopic === 'Finance');
const prompt = taggingPrompt(MEDIA_TAXONOMY, sports?.text);

describe('gateway fallbacks', () => {
  it('answers from the first fallback when the primary model fails with a 5xx', async () => {
    const { emu, api } = await start({ faults: { http500Rate: 1 } });
    const reply = await api.post('/v1/chat/completions', {
      model: 'kimi-k2.5',
      prompt,
      fallbacks: [{ model: 'claude-sonnet-4-6' }, { model: 'gpt-5' }],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.model).toBe('claude-sonnet-4-6');
    expect(reply.body.request.model).toBe('claude-sonnet-4-6');
    expect(reply.body.choices[0].message.content).toBe('Sports');
    const bare = await api.post('/v1/chat/completions', { model: 'kimi-k2.5', prompt });
    expect(bare.status).toBe(500);
    expect(bare.body.error.code).toBe(500);
    expect(emu.stats()).toMatchObject({
      gatewayFallbacks: 1,
      gatewayCalls: 1,
      faultsInjected: { http500: 2 },
    });
  });

  it('applies the fallback overrides, the rest inherited from the request', async () => {
    const { api } = await start({ faults: { http503Rate: 1 } });
    const reply = await api.post('/v1/chat/completions', {
      model: 'kimi-k2.5',
      prompt,
      temperature: 0.2,
      max_tokens: 50,
      fallbacks: [
        {
          model: 'claude-sonnet-4-6',
          messages: [{ role: 'user', content: taggingPrompt(MEDIA_TAXONOMY, finance?.text) }],
          temperature: 0.4,
        },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.choices[0].message.content).toBe('Finance');
    expect(reply.body.request).toEqual({ model: 'claude-sonnet-4-6', max_tokens: 50, temperature: 0.4 });
  });

  it('answers a batched request from the fallback with the same body shape', async () => {
    const { api } = await start({ faults: { http503Rate: 1, batchItemFaultRate: 0 } });
    const keys = ['f1', 'f2'];
    const reply = await api.post('/v1/chat/completions', {
      model: 'kimi-k2.5',
      prompt: batchedTaggingPrompt(MEDIA_TAXONOMY, [
        ['f1', sports?.text ?? ''],
        ['f2', finance?.text ?? ''],
      ]),
      response_format: batchedResponseFormat(keys, Object.keys(MEDIA_TAXONOMY)),
      fallbacks: [{ model: 'gemini-2.5-flash' }],
    });
    expect(reply.body.model).toBe('gemini-2.5-flash');
    expect(JSON.parse(reply.body.choices[0].message.content)).toEqual({
      answers: [
        { key: 'f1', topic: 'Sports' },
        { key: 'f2', topic: 'Finance' },
      ],
    });
  });

  it('keeps the primary model when nothing fails', async () => {
    const { emu, api } = await start();
    const reply = await api.post('/v1/chat/completions', {
      model: 'kimi-k2.5',
      prompt,
      fallbacks: [{ model: 'claude-sonnet-4-6' }],
      fallback_config: { depth: 2, retry: false },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.model).toBe('kimi-k2.5');
    expect(emu.stats().gatewayFallbacks).toBe(0);
  });

  it('answers 400 for malformed fallbacks or fallback_config', async () => {
    const { api } = await start();
    const bad = [
      { fallbacks: { model: 'x' } },
      { fallbacks: ['claude-sonnet-4-6'] },
      { fallbacks: [{}] },
      { fallbacks: [{ model: '' }] },
      { fallbacks: [{ model: 'x', temperature: 3 }] },
      { fallbacks: [{ model: 'x', messages: [] }] },
      { fallbacks: [{ model: 'x', fallbacks: [] }] },
      { fallback_config: [] },
      { fallback_config: { depth: 3 } },
      { fallback_config: { retry: 'yes' } },
    ];
    for (const extra of bad) {
      const reply = await api.post('/v1/chat/completions', { model: 'kimi-k2.5', prompt: 'hi', ...extra });
      expect(reply.status, JSON.stringify(extra)).toBe(400);
      expect(reply.body.error.code).toBe(400);
    }
  });
});
