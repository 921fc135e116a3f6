import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type Emulator, type Faults, startEmulator } from './index.ts';
import { MEDIA_TAXONOMY } from './samples/index.ts';
import { client, taggingPrompt } from './testing.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function withFaults(faults: Partial<Faults>) {
  emu = await startEmulator({ timeScale: 0, faults });
  return { emu, api: client(emu.url) };
}

describe('fault injection', () => {
  it('answers 500 and 503 with error bodies', async () => {
    const { emu, api } = await withFaults({ http500Rate: 1 });
    const r500 = await api.get('/v2/transcript');
    expect(r500.status).toBe(500);
    expect(r500.body.error).toBeTypeOf('string');
    const g500 = await api.post('/v1/chat/completions', { model: 'm', prompt: 'x' });
    expect(g500.body.error.code).toBe(500);
    emu.setFaults({ http500Rate: 0, http503Rate: 1 });
    expect((await api.get('/v2/transcript')).status).toBe(503);
    expect(emu.stats().faultsInjected).toMatchObject({ http500: 2, http503: 1 });
  });

  it('drops connections without an answer', async () => {
    const { emu } = await withFaults({ dropRate: 1 });
    await expect(
      request(`${emu.url}/v2/transcript`, { headers: { authorization: 'emulator-key' } }),
    ).rejects.toThrow();
    expect(emu.stats().faultsInjected.drop).toBe(1);
  });

  it('delays slow requests by slowMs', async () => {
    const { emu, api } = await withFaults({ slowRate: 1, slowMs: 150 });
    const started = performance.now();
    expect((await api.get('/v2/transcript')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(emu.stats().faultsInjected.slow).toBe(1);
  });

  it('answers garbage from the gateway: not one tag, or two', async () => {
    const { emu, api } = await withFaults({ garbageAnswerRate: 1 });
    const tags = Object.keys(MEDIA_TAXONOMY);
    for (let i = 0; i < 10; i++) {
      const reply = await api.post('/v1/chat/completions', {
        model: 'm',
        prompt: taggingPrompt(MEDIA_TAXONOMY, 'The team won the championship match.'),
      });
      const content: string = reply.body.choices[0].message.content;
      expect(tags).not.toContain(content.trim());
    }
    expect(emu.stats().faultsInjected.garbageAnswer).toBe(10);
  });

  it('never faults /samples or /_emulator, and can be changed over HTTP', async () => {
    const { emu, api } = await withFaults({ http500Rate: 1, dropRate: 0 });
    expect((await api.get('/samples/index.json')).status).toBe(200);
    expect((await api.get('/samples/sports-01.mp3')).status).toBe(200);
    expect((await api.get('/_emulator/stats')).status).toBe(200);
    const set = await api.post('/_emulator/faults', { http500Rate: 0 });
    expect(set.body).toEqual({ ...DEFAULT_OPTIONS.faults });
    expect((await api.get('/v2/transcript')).status).toBe(200);
    expect((await api.post('/_emulator/faults', { http500Rate: 2 })).status).toBe(400);
    expect((await api.post('/_emulator/faults', { http500Rate: '0.5' })).status).toBe(400);
    expect((await api.post('/_emulator/faults', { bogusRate: 1 })).body).toEqual({
      ...DEFAULT_OPTIONS.faults,
    });
    expect(emu.stats().faultsInjected.http500).toBe(0);
  });

  it('repeats the same fault pattern for the same seed', async () => {
    const pattern = async () => {
      const e = await startEmulator({ timeScale: 0, seed: 42, faults: { http500Rate: 0.5 } });
      const api = client(e.url);
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await api.get('/v2/transcript')).status);
      await e.close();
      return statuses;
    };
    const a = await pattern();
    expect(a).toContain(500);
    expect(a).toContain(200);
    expect(await pattern()).toEqual(a);
  });
});
