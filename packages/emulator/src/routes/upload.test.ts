import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../index.ts';
import { client, waitFor } from '../testing.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** A chunked body of `total` bytes produced on the fly, so the test itself buffers nothing. */
function stream(total: number, chunk = 64 * 1024): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(chunk, total - sent);
      this.push(Buffer.alloc(size, sent % 251));
      sent += size;
    },
  });
}

describe('POST /v2/upload', () => {
  it('streams a few MB, answers an upload_url, and transcribes it deterministically', async () => {
    emu = await startEmulator({ timeScale: 0 });
    const bytes = 6 * 1024 * 1024 + 123;
    const res = await request(`${emu.url}/v2/upload`, {
      method: 'POST',
      headers: { authorization: 'emulator-key', 'content-type': 'application/octet-stream' },
      body: stream(bytes),
    });
    expect(res.statusCode).toBe(200);
    const { upload_url } = (await res.body.json()) as { upload_url: string };
    expect(upload_url).toMatch(new RegExp(`^${emu.url}/cdn/upload/[0-9a-f-]{36}$`));
    expect(emu.stats()).toMatchObject({ uploads: 1, uploadBytes: bytes });

    const api = client(emu.url);
    const done = async (url: string) => {
      const created = await api.submit(url);
      return waitFor(async () => {
        const r = await api.get(`/v2/transcript/${created.body.id}`);
        return r.body.status === 'completed' && r.body;
      });
    };
    const t = await done(upload_url);
    // 128 kbit/s worth of bytes: about 394 s.
    expect(t.audio_duration).toBe(Math.ceil(bytes / 16_000));
    expect(t.text.length).toBeGreaterThan(100);
    // Same bytes uploaded again: a new URL, the same words.
    const again = await api.post('/v2/upload', Buffer.alloc(0));
    expect(again.status).toBe(400);
    expect(again.body.error).toBeTypeOf('string');
  });

  it('gives identical bytes identical text', async () => {
    emu = await startEmulator({ timeScale: 0 });
    const api = client(emu.url);
    const first = await api.post('/v2/upload', Buffer.from('same bytes'));
    const second = await api.post('/v2/upload', Buffer.from('same bytes'));
    expect(first.body.upload_url).not.toBe(second.body.upload_url);
    const texts = await Promise.all(
      [first.body.upload_url, second.body.upload_url].map(async (url: string) => {
        const created = await api.submit(url);
        return waitFor(async () => {
          const r = await api.get(`/v2/transcript/${created.body.id}`);
          return r.body.status === 'completed' && (r.body.text as string);
        });
      }),
    );
    expect(texts[0]).toBe(texts[1]);
  });
});
