import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StatsRecorder } from './core/stats.ts';
import { Timeline } from './core/timeline.ts';
import { DEFAULT_OPTIONS, type Emulator, startEmulator } from './index.ts';
import { client, waitFor } from './testing.ts';
import type { TranscriptRecord } from './transcripts/model.ts';
import { WebhookSender } from './webhooks.ts';

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A tiny receiver answering each call with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[]): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString()),
      });
      res.statusCode = statuses[Math.min(hits.length, statuses.length) - 1] ?? 200;
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, hits, server };
}

let emu: Emulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  await emu?.close();
  server?.closeAllConnections();
  server?.close();
  emu = undefined;
});

// 10 emulated seconds between retries at 5 ms per second: 50 ms.
const start = () => startEmulator({ timeScale: 5, webhook: { intervalSeconds: 10, attempts: 4 } });

describe('webhooks', () => {
  it('POSTs {transcript_id, status} with the auth header on completion', async () => {
    const hook = await receiver([200]);
    server = hook.server;
    emu = await start();
    const api = client(emu.url);
    const created = await api.submit('https://x.example/hooked.mp3', {
      webhook_url: `${hook.url}?batch=7`,
      webhook_auth_header_name: 'x-webhook-secret',
      webhook_auth_header_value: 'letmein',
    });
    await waitFor(async () => hook.hits.length === 1);
    const [hit] = hook.hits;
    expect(hit?.path).toBe('/hooks?batch=7');
    expect(hit?.body).toEqual({ transcript_id: created.body.id, status: 'completed' });
    expect(hit?.headers['x-webhook-secret']).toBe('letmein');
    expect(hit?.headers['content-type']).toBe('application/json');
    const t = await waitFor(async () => {
      const r = await api.get(`/v2/transcript/${created.body.id}`);
      return r.body.webhook_status_code === 200 && r.body;
    });
    expect(t.webhook_auth).toBe(true);
    expect(t.webhook_auth_header_name).toBe('x-webhook-secret');
    expect(JSON.stringify(t)).not.toContain('letmein');
    expect(emu.stats()).toMatchObject({ webhookDeliveries: 1, webhookFailures: 0 });
  });

  it('retries after a 500 and records the final status code', async () => {
    const hook = await receiver([500, 200]);
    server = hook.server;
    emu = await start();
    const api = client(emu.url);
    const created = await api.submit('https://x.example/broken/hooked.mp3', { webhook_url: hook.url });
    await waitFor(async () => hook.hits.length === 2);
    expect(hook.hits.map((h) => h.body)).toEqual([
      { transcript_id: created.body.id, status: 'error' },
      { transcript_id: created.body.id, status: 'error' },
    ]);
    await waitFor(
      async () => (await api.get(`/v2/transcript/${created.body.id}`)).body.webhook_status_code === 200,
    );
    expect(emu.stats()).toMatchObject({ webhookDeliveries: 1, webhookFailures: 1 });
  });

  it('stops at the first 4xx', async () => {
    const hook = await receiver([410, 200]);
    server = hook.server;
    emu = await start();
    const api = client(emu.url);
    const created = await api.submit('https://x.example/gone.mp3', { webhook_url: hook.url });
    await waitFor(
      async () => (await api.get(`/v2/transcript/${created.body.id}`)).body.webhook_status_code === 410,
    );
    expect(hook.hits).toHaveLength(1);
    expect(emu.stats()).toMatchObject({ webhookDeliveries: 0, webhookFailures: 1 });
  });

  it('gives up after the configured number of attempts', async () => {
    const hook = await receiver([503]);
    server = hook.server;
    emu = await start();
    const api = client(emu.url);
    await api.submit('https://x.example/flaky.mp3', { webhook_url: hook.url });
    await waitFor(async () => emu?.stats().webhookFailures === 4);
    expect(hook.hits).toHaveLength(4);
  });
});

// Whether another attempt follows is decided as each attempt ends: a retry is an entry on the
// timeline. With the sender on a timeline of its own, whose timer and clock are faked, a retry
// starts only when the test moves time, and "no more attempts" is an empty timeline once the
// last failure is counted, not the absence of a hit after some wait. The deliveries are real
// requests, polled for on the real timer (vi.waitFor would move the fake time itself).
describe('webhook retries', () => {
  const options = {
    ...DEFAULT_OPTIONS,
    timeScale: 5,
    webhook: { intervalSeconds: 10, attempts: 4, timeoutMs: null },
  };
  const realTimeout = setTimeout;
  let timeline: Timeline;
  let stats: StatsRecorder;
  let webhooks: WebhookSender;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    timeline = new Timeline();
    stats = new StatsRecorder(1);
    webhooks = new WebhookSender({ options: () => options, timeline, stats });
  });
  afterEach(async () => {
    vi.useRealTimers();
    timeline.close();
    await webhooks.close();
  });

  /** Waits (real time) until `n` deliveries have failed. */
  async function failed(n: number): Promise<void> {
    for (let i = 0; stats.snapshot().webhookFailures < n; i++) {
      if (i > 2000) throw new Error(`${n} failed deliveries not seen`);
      await new Promise((resolve) => realTimeout(resolve, 5));
    }
    expect(stats.snapshot().webhookFailures).toBe(n);
  }

  /** A finished transcript that asked for a webhook to `url`. */
  const finished = (url: string) =>
    ({
      id: 'tr-1',
      status: 'error',
      request: { webhookUrl: url, webhookAuthHeaderName: null, webhookAuthHeaderValue: null },
      webhookStatusCode: null,
    }) as TranscriptRecord;

  it('schedules no retry after a 4xx', async () => {
    const hook = await receiver([410, 200]);
    server = hook.server;
    const record = finished(hook.url);
    webhooks.transcriptFinished(record);
    await failed(1);
    expect(timeline.size).toBe(0);
    expect(record.webhookStatusCode).toBe(410);
    expect(hook.hits).toHaveLength(1);
  });

  it('retries one interval after each failed attempt but the last', async () => {
    const hook = await receiver([503]);
    server = hook.server;
    const record = finished(hook.url);
    webhooks.transcriptFinished(record);
    for (let failures = 1; failures <= 4; failures++) {
      await failed(failures);
      expect(hook.hits).toHaveLength(failures);
      // The next attempt is due 10 emulated seconds (50 ms) from now, or there is none.
      expect(timeline.size).toBe(failures < 4 ? 1 : 0);
      vi.advanceTimersByTime(49);
      expect(timeline.size).toBe(failures < 4 ? 1 : 0);
      vi.advanceTimersByTime(1);
      expect(timeline.size).toBe(0);
    }
    expect(hook.hits).toHaveLength(4);
    expect(record.webhookStatusCode).toBe(503);
  });
});
