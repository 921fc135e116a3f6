import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { type Emulator, type EmulatorOverrides, startEmulator } from '../index.ts';
import { client } from '../testing.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(options: EmulatorOverrides = {}) {
  emu = await startEmulator({ timeScale: 0, ...options });
  return { emu, api: client(emu.url) };
}

describe('auth, validation and routing', () => {
  it('requires the exact authorization header on /v2 and /v1', async () => {
    const { emu } = await start({ apiKey: 'secret-key' });
    const missing = await client(emu.url, null).get('/v2/transcript');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: 'Authentication error, API token missing/invalid' });
    const bearer = await client(emu.url, 'Bearer secret-key').get('/v2/transcript');
    expect(bearer.status).toBe(401);
    const gateway = await client(emu.url, 'nope').post('/v1/chat/completions', { model: 'm', prompt: 'x' });
    expect(gateway.status).toBe(401);
    expect(gateway.body.error.code).toBe(401);
    expect((await client(emu.url, 'secret-key').get('/v2/transcript')).status).toBe(200);
    // Extras need no key.
    expect((await client(emu.url, null).get('/samples/index.json')).status).toBe(200);
    expect((await client(emu.url, null).get('/_emulator/stats')).status).toBe(200);
  });

  it('rejects bad submissions like production', async () => {
    const { api } = await start();
    const noUrl = await api.post('/v2/transcript', { speech_models: ['universal-3-pro'] });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.error).toMatch(/audio_url/);
    const singular = await api.submit('https://x.example/a.mp3', { speech_model: 'best' });
    expect(singular.status).toBe(400);
    expect(singular.body.error).toMatch(/speech_model is deprecated/);
    expect((await api.post('/v2/transcript', '{not json')).status).toBe(400);
    expect((await api.post('/v2/transcript', '[1, 2]')).status).toBe(400);
    expect((await api.submit('ftp://x.example/a.mp3')).status).toBe(400);
    expect((await api.submit('https://x.example/a.mp3', { speech_models: [] })).status).toBe(400);
    const badBool = await api.submit('https://x.example/a.mp3', { format_text: 'yes' });
    expect(badBool.body).toEqual({ error: 'format_text must be a Boolean' });
  });

  it('answers 404 for unknown routes and 413 for oversized JSON', async () => {
    const { api } = await start({ maxJsonBytes: 1024 });
    const unknown = await api.get('/v2/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'Not found' });
    expect((await api.get('/elsewhere')).body).toEqual({ error: 'Not found' });
    const big = await api.submit('https://x.example/a.mp3', { padding: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    const bigGateway = await api.post('/v1/chat/completions', { model: 'm', prompt: 'y'.repeat(5000) });
    expect(bigGateway.status).toBe(413);
    expect(bigGateway.body.error.code).toBe(413);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once the /v2 budget is spent', async () => {
    const { emu, api } = await start({ rateLimit: { requests: 5, windowSeconds: 300 } });
    for (let i = 0; i < 5; i++) expect((await api.get('/v2/transcript')).status).toBe(200);
    const limited = await api.get('/v2/transcript');
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBeTypeOf('string');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // The gateway has its own budget.
    expect((await api.post('/v1/chat/completions', { model: 'm', prompt: 'hi' })).status).toBe(200);
    expect(emu.stats().rateLimited429s).toBe(1);
  });

  it('slides: requests older than the window stop counting', async () => {
    const { api } = await start({ rateLimit: { requests: 2, windowSeconds: 0.2 } });
    // The limiter reads the global clock; only the clock is faked, sockets stay real.
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      expect((await api.get('/v2/transcript')).status).toBe(200);
      expect((await api.get('/v2/transcript')).status).toBe(200);
      expect((await api.get('/v2/transcript')).status).toBe(429);
      vi.advanceTimersByTime(199);
      expect((await api.get('/v2/transcript')).status).toBe(429);
      vi.advanceTimersByTime(1);
      expect((await api.get('/v2/transcript')).status).toBe(200);
      expect((await api.get('/v2/transcript')).status).toBe(200);
      expect((await api.get('/v2/transcript')).status).toBe(429);
    } finally {
      vi.useRealTimers();
    }
  });

  it('limits the gateway per model with X-RateLimit headers', async () => {
    const { emu, api } = await start({ gateway: { requestsPerMinute: 3 } });
    const call = (model: string) => api.post('/v1/chat/completions', { model, prompt: 'Say hello' });
    const first = await call('model-a');
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    const reset = Number(first.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    await call('model-a');
    expect((await call('model-a')).headers['x-ratelimit-remaining']).toBe('0');
    const limited = await call('model-a');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe(429);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another model has its own window.
    expect((await call('model-b')).status).toBe(200);
    expect(emu.stats().gateway429s).toBe(1);
  });

  it('defaults to production: 30 per model per 60 emulated seconds, scaled by timeScale', async () => {
    // 50 real ms per emulated second: a window of 3 real seconds, on a faked clock.
    const { emu, api } = await start({ timeScale: 50 });
    vi.useFakeTimers({ toFake: ['performance'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const call = () => api.post('/v1/chat/completions', { model: 'model-a', prompt: 'Say hello' });
    for (let i = 1; i <= 30; i++) {
      const reply = await call();
      expect(reply.status).toBe(200);
      expect(reply.headers['x-ratelimit-limit']).toBe('30');
      expect(reply.headers['x-ratelimit-remaining']).toBe(String(30 - i));
      const reset = Number(reply.headers['x-ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(3);
    }
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe(429);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    // The window rolls after 60 emulated seconds, not 60 real ones.
    vi.advanceTimersByTime(2999);
    expect((await call()).status).toBe(429);
    vi.advanceTimersByTime(1);
    expect((await call()).status).toBe(200);
    expect(emu.stats().gateway429s).toBe(2);
  });

  it('keeps a real 60 s window at timeScale 0 and real time at 1000', async () => {
    for (const timeScale of [0, 1000]) {
      const { api } = await start({ timeScale });
      const first = await api.post('/v1/chat/completions', { model: 'm', prompt: 'hi' });
      expect(first.headers['x-ratelimit-limit']).toBe('30');
      expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(50);
      expect(Number(first.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60);
      await emu?.close();
      emu = undefined;
    }
  });

  it('changes the gateway limit at run time over POST /_emulator/options; null turns it off', async () => {
    const { emu, api } = await start({ timeScale: 1000 });
    vi.useFakeTimers({ toFake: ['performance'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const call = () => api.post('/v1/chat/completions', { model: 'm', prompt: 'hi' });
    const off = await api.post('/_emulator/options', { gateway: { requestsPerMinute: null } });
    expect(off.status).toBe(200);
    expect(off.body.gateway).toEqual({ requestsPerMinute: null });
    for (let i = 0; i < 40; i++) {
      const reply = await call();
      expect(reply.status).toBe(200);
      expect(reply.headers['x-ratelimit-limit']).toBeUndefined();
    }
    await api.post('/_emulator/options', { gateway: { requestsPerMinute: 2 } });
    expect((await call()).headers['x-ratelimit-limit']).toBe('2');
    await call();
    expect((await call()).status).toBe(429);
    // Faster time shortens the window at once: 60 emulated seconds are now 600 ms.
    await api.post('/_emulator/options', { timeScale: 10 });
    expect(Number((await call()).headers['retry-after'] ?? 1)).toBeLessThanOrEqual(1);
    vi.advanceTimersByTime(599);
    expect((await call()).status).toBe(429);
    vi.advanceTimersByTime(1);
    expect((await call()).status).toBe(200);
    expect((await api.post('/_emulator/options', { gateway: { requestsPerMinute: 0 } })).status).toBe(400);
    expect((await api.post('/_emulator/options', { port: emu.port + 1 })).status).toBe(400);
    expect(emu.stats().gateway429s).toBeGreaterThanOrEqual(1);
  });
});
