import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { DEFAULT_OPTIONS, type Emulator, type EmulatorOverrides, startEmulator } from '../index.ts';
import { sampleById } from '../samples/index.ts';
import { type Body, client, waitFor } from '../testing.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/**
 * Fakes the emulator's timer and clock for the rest of the test: a transcript moves on only
 * when the test advances time, so each status is checked at the exact moment it should change.
 * Requests stay real.
 */
function fakeClock() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  onTestFinished(() => {
    vi.useRealTimers();
  });
}

async function start(options: EmulatorOverrides) {
  emu = await startEmulator(options);
  return { emu, api: client(emu.url) };
}

describe('transcript lifecycle', () => {
  it('goes queued -> processing -> completed with the sample script and duration, on time', async () => {
    fakeClock();
    const { emu, api } = await start({ timeScale: 50, processing: { jitter: 0 } });
    const url = 'http://somewhere.example/samples/sports-01.mp3?copy=17';
    const created = await api.submit(url, { speech_models: ['universal-2'] });
    expect(created.body).toMatchObject({ status: 'queued', audio_url: url, text: null, throttled: null });
    const sample = sampleById('sports-01');
    const status = async () => (await api.get(`/v2/transcript/${created.body.id}`)).body.status;
    // 0.5 emulated seconds queued, then 3 s + 35 s per audio hour processing; 50 ms each.
    const queuedMs = DEFAULT_OPTIONS.queuedSeconds * 50;
    const processingMs = (3 + (35 / 3600) * (sample?.durationSeconds ?? 0)) * 50;
    await vi.advanceTimersByTimeAsync(queuedMs - 1);
    expect(await status()).toBe('queued');
    await vi.advanceTimersByTimeAsync(1);
    expect(await status()).toBe('processing');
    await vi.advanceTimersByTimeAsync(Math.floor(processingMs) - 1);
    expect(await status()).toBe('processing');
    await vi.advanceTimersByTimeAsync(2);
    const done: Body = (await api.get(`/v2/transcript/${created.body.id}`)).body;
    expect(done.status).toBe('completed');
    expect(done.text).toBe(sample?.text);
    expect(done.audio_duration).toBe(sample?.durationSeconds);
    expect(done.speech_model_used).toBe('universal-2');
    expect(done.language_code).toBe('en_us');
    const lastWord = done.words[done.words.length - 1];
    expect(lastWord.end).toBeLessThanOrEqual(done.audio_duration * 1000);
    expect(emu.stats()).toMatchObject({ completed: 1, processingNow: 0, queuedNow: 0 });
  });

  it('derives deterministic text and duration from any other URL', async () => {
    const { api } = await start({ timeScale: 0 });
    const a = await api.submit('https://cdn.example.com/show/ep-1.mp3');
    const b = await api.submit('https://cdn.example.com/show/ep-1.mp3');
    const c = await api.submit('https://cdn.example.com/show/ep-2.mp3');
    const final = async (id: string) =>
      waitFor(async () => {
        const r = await api.get(`/v2/transcript/${id}`);
        return r.body.status === 'completed' && r.body;
      });
    const [ta, tb, tc] = await Promise.all([final(a.body.id), final(b.body.id), final(c.body.id)]);
    expect(ta.text).toBe(tb.text);
    expect(ta.audio_duration).toBe(tb.audio_duration);
    expect(ta.text).not.toBe(tc.text);
    for (const t of [ta, tc]) {
      const words = t.text.split(' ').length;
      expect(words).toBeGreaterThanOrEqual(60);
      expect(words).toBeLessThanOrEqual(300);
      expect(t.audio_duration).toBeGreaterThanOrEqual(30);
      expect(t.audio_duration).toBeLessThanOrEqual(3600);
    }
  });

  it('queues FIFO over the concurrency limit with throttled: true', async () => {
    fakeClock();
    const { emu, api } = await start({
      concurrency: 2,
      timeScale: 10,
      queuedSeconds: 0,
      processing: { baseSeconds: 8, realTimeFactor: 0, jitter: 0 },
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await api.submit(`https://x.example/ep-${i}.mp3`)).body.id);
    }
    const snapshot = async () =>
      Promise.all(ids.map(async (id) => (await api.get(`/v2/transcript/${id}`)).body));
    const statuses = async () => (await snapshot()).map((t: Body) => t.status);
    await vi.advanceTimersByTimeAsync(0);
    const early = await snapshot();
    expect(early.map((t: Body) => t.status)).toEqual([
      'processing',
      'processing',
      'queued',
      'queued',
      'queued',
    ]);
    expect(early.slice(2).every((t: Body) => t.throttled === true)).toBe(true);
    // Each takes 8 emulated seconds (80 ms): FIFO means pairs finish in submission order.
    await vi.advanceTimersByTimeAsync(79);
    expect(await statuses()).toEqual(['processing', 'processing', 'queued', 'queued', 'queued']);
    await vi.advanceTimersByTimeAsync(1);
    expect(await statuses()).toEqual(['completed', 'completed', 'processing', 'processing', 'queued']);
    await vi.advanceTimersByTimeAsync(80);
    expect(await statuses()).toEqual(['completed', 'completed', 'completed', 'completed', 'processing']);
    await vi.advanceTimersByTimeAsync(80);
    expect(await statuses()).toEqual(Array(5).fill('completed'));
    const stats = emu.stats();
    expect(stats.maxConcurrentProcessing).toBe(2);
    expect(stats.maxQueued).toBeGreaterThanOrEqual(3);
  });

  it('flags a transcript waiting for a slot throttled: true, then false once it runs', async () => {
    fakeClock();
    const { emu, api } = await start({
      concurrency: 1,
      timeScale: 10,
      queuedSeconds: 0,
      processing: { baseSeconds: 30, realTimeFactor: 0, jitter: 0 },
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await api.submit(`https://x.example/throttle-${i}.mp3`)).body.id);
    const get = async (id: string | undefined) => (await api.get(`/v2/transcript/${id}`)).body;
    await vi.advanceTimersByTimeAsync(0);
    const running = await get(ids[0]);
    expect(running).toMatchObject({ status: 'processing', throttled: null });
    for (const id of ids.slice(1)) expect(await get(id)).toMatchObject({ status: 'queued', throttled: true });
    expect(emu.stats()).toMatchObject({ waitingForSlotNow: 2, maxWaitingForSlot: 2 });

    // 30 emulated seconds each: 300 ms.
    await vi.advanceTimersByTimeAsync(300);
    expect(await get(ids[0])).toMatchObject({ status: 'completed' });
    expect(await get(ids[1])).toMatchObject({ status: 'processing', throttled: false });
    expect(await get(ids[2])).toMatchObject({ status: 'queued', throttled: true });
    expect(emu.stats().waitingForSlotNow).toBe(1);

    await vi.advanceTimersByTimeAsync(600);
    expect(await get(ids[2])).toMatchObject({ status: 'completed', throttled: false });
    expect(emu.stats()).toMatchObject({ waitingForSlotNow: 0, maxWaitingForSlot: 2 });
  });

  it('ends /broken/ URLs and transcriptErrorRate picks in status error without text', async () => {
    const { emu, api } = await start({ timeScale: 0 });
    const broken = await api.submit('https://files.example.com/broken/missing.mp3');
    const t: Body = await waitFor(async () => {
      const r = await api.get(`/v2/transcript/${broken.body.id}`);
      return r.body.status === 'error' && r.body;
    });
    expect(t.error).toBe(
      'Download error, unable to download https://files.example.com/broken/missing.mp3. Please make sure the file exists and is accessible from the internet.',
    );
    expect(t.text).toBeNull();
    expect(t.words).toBeNull();
    emu.setFaults({ transcriptErrorRate: 1 });
    const unlucky = await api.submit(`${emu.url}/samples/sports-02.mp3`);
    await waitFor(async () => (await api.get(`/v2/transcript/${unlucky.body.id}`)).body.status === 'error');
    expect(emu.stats()).toMatchObject({ errored: 2, faultsInjected: { transcriptError: 1 } });
  });

  it('lists newest first with working prev/next pages and a status filter', async () => {
    const { api } = await start({ timeScale: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await api.submit(`https://x.example/list-${i}.mp3`)).body.id);
    const first = await api.get('/v2/transcript?limit=3');
    expect(first.body.transcripts.map((t: Body) => t.id)).toEqual([ids[6], ids[5], ids[4]]);
    const older = await api.get(
      new URL(first.body.page_details.prev_url).pathname + new URL(first.body.page_details.prev_url).search,
    );
    expect(older.body.transcripts.map((t: Body) => t.id)).toEqual([ids[3], ids[2], ids[1]]);
    const newer = new URL(older.body.page_details.next_url);
    const back = await api.get(newer.pathname + newer.search);
    expect(back.body.transcripts.map((t: Body) => t.id)).toEqual([ids[6], ids[5], ids[4]]);
    const last = await api.get(`/v2/transcript?limit=3&before_id=${ids[1]}`);
    expect(last.body.transcripts.map((t: Body) => t.id)).toEqual([ids[0]]);
    expect(last.body.page_details.prev_url).toBeNull();
    expect((await api.get('/v2/transcript?limit=201')).status).toBe(400);
    await waitFor(
      async () => (await api.get('/v2/transcript?status=completed&limit=200')).body.transcripts.length === 7,
    );
  });

  it('deletes finished transcripts only, scrubbing text and words', async () => {
    const { api } = await start({ timeScale: 5 });
    const created = await api.submit('https://x.example/delete-me.mp3');
    const early = await api.del(`/v2/transcript/${created.body.id}`);
    expect(early.status).toBe(400);
    await waitFor(
      async () => (await api.get(`/v2/transcript/${created.body.id}`)).body.status === 'completed',
    );
    const deleted = await api.del(`/v2/transcript/${created.body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ status: 'completed', text: null, words: null });
    expect(deleted.body.audio_url).toBe('http://deleted_by_user');
    // Afterwards it is gone, answered like an id AssemblyAI never had.
    const after = await api.get(`/v2/transcript/${created.body.id}`);
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('Transcript lookup error, transcript id not found');
    expect((await api.del('/v2/transcript/unknown')).status).toBe(400);
  });
});
