import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../index.ts';
import { answerPrompt } from '../llm/lexical-stand-in.ts';
import { client, taggingPrompt } from '../testing.ts';
import { PRESET_TAXONOMIES, SAMPLES, sampleForPath } from './index.ts';

describe('sample library', () => {
  it('has 30-40 scripts of 80-200 words covering every preset tag', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(30);
    expect(SAMPLES.length).toBeLessThanOrEqual(40);
    for (const [name, taxonomy] of Object.entries(PRESET_TAXONOMIES)) {
      for (const tag of Object.keys(taxonomy)) {
        expect(
          SAMPLES.some((s) => s.taxonomy === name && s.expectedTopic === tag),
          `${name}/${tag}`,
        ).toBe(true);
      }
    }
    for (const s of SAMPLES) {
      const words = s.text.split(/\s+/).length;
      expect(words, s.id).toBeGreaterThanOrEqual(80);
      expect(words, s.id).toBeLessThanOrEqual(200);
      expect(s.id).toMatch(/^[a-z0-9-]+$/);
    }
    expect(new Set(SAMPLES.map((s) => s.id)).size).toBe(SAMPLES.length);
  });

  it('the lexical stand-in picks every sample expected topic with the matching preset list', () => {
    for (const s of SAMPLES) {
      const taxonomy = PRESET_TAXONOMIES[s.taxonomy];
      // Both ways a client can send it: text inlined, or injected by the gateway.
      expect(answerPrompt(taggingPrompt(taxonomy, s.text)).tag, s.id).toBe(s.expectedTopic);
      expect(answerPrompt(taggingPrompt(taxonomy), s.text).tag, s.id).toBe(s.expectedTopic);
    }
  });

  it('matches sample URLs on any host and query string', () => {
    expect(sampleForPath('/samples/sports-01.mp3')?.id).toBe('sports-01');
    expect(sampleForPath('/mirror/samples/billing-and-payments-02.wav')?.id).toBe('billing-and-payments-02');
    expect(sampleForPath('/samples/no-such-sample.mp3')).toBeUndefined();
    expect(sampleForPath('/samples/sports-01')).toBeUndefined();
  });
});

describe('GET /samples', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ timeScale: 0 });
  });
  afterAll(() => emu.close());

  it('serves index.json and deterministic placeholder bytes', async () => {
    const api = client(emu.url, null);
    const index = await api.get('/samples/index.json');
    expect(index.body).toHaveLength(SAMPLES.length);
    expect(index.body[0]).toEqual({
      id: 'sports-01',
      url: `${emu.url}/samples/sports-01.mp3`,
      title: SAMPLES[0]?.title,
      taxonomy: 'media',
      expectedTopic: 'Sports',
      durationSeconds: SAMPLES[0]?.durationSeconds,
    });
    const mp3 = await api.get('/samples/sports-01.mp3');
    const again = await api.get('/samples/sports-01.mp3');
    expect(mp3.status).toBe(200);
    expect(mp3.headers['content-type']).toBe('audio/mpeg');
    expect(mp3.text).toBe(again.text);
    const wav = await api.get('/samples/support-calls-nope.wav');
    expect(wav.status).toBe(404);
    expect((await api.get('/samples/account-issues-01.wav')).headers['content-type']).toBe('audio/wav');
  });
});
