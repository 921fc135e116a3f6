// Not a timed assertion: it proves 2,000 submissions and their polls go through at timeScale 0
// without errors, and prints the rate so a regression is visible in the test log.

import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './index.ts';
import type { Body } from './testing.ts';

let emu: Emulator;
const agent = new Agent({ connections: 64 });
beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0, concurrency: 200 });
});
afterAll(async () => {
  await agent.close();
  await emu.close();
});

async function call(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Body }> {
  const res = await request(`${emu.url}${path}`, {
    method,
    dispatcher: agent,
    headers: { authorization: 'emulator-key', 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.statusCode, json: await res.body.json() };
}

/** Run `worker` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, worker: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await worker(items[i] as T);
      }
    }),
  );
  return out;
}

describe('throughput', () => {
  it('handles 2,000 submissions and polls at timeScale 0', async () => {
    const total = 2_000;
    const started = performance.now();
    const urls = Array.from(
      { length: total },
      (_, i) => `http://media.example/samples/sports-0${(i % 2) + 1}.mp3?copy=${i}`,
    );
    const ids = await pool(urls, 64, async (url) => {
      const r = await call('POST', '/v2/transcript', { audio_url: url });
      expect(r.status).toBe(200);
      return r.json.id as string;
    });
    let polls = 0;
    await pool(ids, 64, async (id) => {
      for (;;) {
        polls++;
        const r = await call('GET', `/v2/transcript/${id}`);
        expect(r.status).toBe(200);
        if (r.json.status === 'completed') return;
        expect(r.json.status).not.toBe('error');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    });
    const seconds = (performance.now() - started) / 1000;
    const stats = emu.stats();
    expect(stats.submissions).toBe(total);
    expect(stats.completed).toBe(total);
    expect(stats.maxConcurrentProcessing).toBeLessThanOrEqual(200);
    console.info(
      `throughput: ${total} transcripts + ${polls} polls in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(0)} transcripts/s, ${((total + polls) / seconds).toFixed(0)} requests/s`,
    );
  });
});
