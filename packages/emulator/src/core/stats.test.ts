import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../index.ts';
import { client, waitFor } from '../testing.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('stats', () => {
  it('counts duplicates, gets per transcript, concurrency and utilisation', async () => {
    emu = await startEmulator({
      concurrency: 2,
      timeScale: 10,
      queuedSeconds: 0,
      processing: { baseSeconds: 5, realTimeFactor: 0, jitter: 0 },
    });
    const api = client(emu.url);
    const urls = [
      'https://x.example/a.mp3',
      'https://x.example/a.mp3',
      'https://x.example/a.mp3',
      'https://x.example/b.mp3',
    ];
    const ids: string[] = [];
    for (const url of urls) ids.push((await api.submit(url)).body.id);
    for (const id of ids) {
      await waitFor(
        async () => (await api.get(`/v2/transcript/${id}`)).body.status === 'completed',
        5_000,
        10,
      );
    }
    await api.get('/v2/transcript/not-a-real-id');
    const stats = emu.stats();
    expect(stats.submissions).toBe(4);
    expect(stats.submissionsByAudioUrl).toEqual({
      distinctAudioUrls: 2,
      duplicates: { 'https://x.example/a.mp3': 3 },
    });
    expect(stats.getsTotal).toBe(stats.getsByTranscript.gets + 1);
    expect(stats.getsByTranscript.transcripts).toBe(4);
    expect(stats.getsByTranscript.maxPerTranscript).toBeGreaterThan(1);
    expect(stats.getsByTranscript.meanPerCompletedTranscript).toBeGreaterThanOrEqual(1);
    expect(stats.maxConcurrentProcessing).toBe(2);
    expect(stats.completed).toBe(4);
    expect(stats.processingNow + stats.queuedNow).toBe(0);
    // Four 50 ms jobs on two slots: roughly 200 slot-ms of 2 x ~100 ms of active time.
    expect(stats.busySlotMs).toBeGreaterThanOrEqual(150);
    expect(stats.utilisation).toBeGreaterThan(0.3);
    expect(stats.utilisation).toBeLessThanOrEqual(1);
    expect(stats.firstSubmitAt).toBeLessThanOrEqual(stats.lastFinishedAt ?? 0);
    expect(stats.requestsTotal).toBeGreaterThanOrEqual(4 + stats.getsTotal);
  });

  it('serves the same object over HTTP and resets counters but not live gauges', async () => {
    emu = await startEmulator({ timeScale: 1000 });
    const api = client(emu.url);
    await api.submit('https://x.example/slow.mp3');
    const overHttp = (await api.get('/_emulator/stats')).body;
    expect(overHttp.submissions).toBe(1);
    expect(Object.keys(overHttp).sort()).toEqual(Object.keys(emu.stats()).sort());
    const reset = await api.post('/_emulator/reset');
    expect(reset.body).toMatchObject({ submissions: 0, requestsTotal: 0, queuedNow: 1, maxQueued: 1 });
    emu.resetStats();
    expect(emu.stats()).toMatchObject({
      submissions: 0,
      firstSubmitAt: null,
      utilisation: expect.any(Number),
    });
  });
});
