import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../index.ts';
import { sampleById, samplePayload } from '../samples/index.ts';
import { client, waitFor } from '../testing.ts';
import { presignedUntil } from './download.ts';

let emu: Emulator | undefined;
let server: Server | undefined;
let hits: string[] = [];
afterEach(async () => {
  await emu?.close();
  server?.close();
  emu = undefined;
  server = undefined;
  hits = [];
});

// A file server on loopback: the sample's bytes at /ok.wav, 403 at /denied.wav, 404 elsewhere.
async function files(): Promise<string> {
  const sample = sampleById('billing-and-payments-01');
  if (!sample) throw new Error('no sample');
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url?.startsWith('/ok.wav')) res.end(samplePayload(sample, 'wav'));
    else if (req.url?.startsWith('/other.wav')) res.end(Buffer.alloc(48_000, 7));
    else res.writeHead(req.url?.startsWith('/denied') ? 403 : 404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const amzDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

async function finish(url: string) {
  emu ??= await startEmulator({ timeScale: 5, processing: { jitter: 0 } });
  const api = client(emu.url);
  const created = await api.submit(url);
  return waitFor(async () => {
    const r = await api.get(`/v2/transcript/${created.body.id}`);
    return (r.body.status === 'completed' || r.body.status === 'error') && r.body;
  });
}

describe('audio URLs on other loopback servers are downloaded when the job starts', () => {
  it('hears a downloaded sample payload as that sample, other bytes as generated speech', async () => {
    const base = await files();
    const done = await finish(`${base}/ok.wav?X-Amz-Date=${amzDate(Date.now())}&X-Amz-Expires=600`);
    expect(done.status).toBe('completed');
    expect(done.text).toBe(sampleById('billing-and-payments-01')?.text);
    const other = await finish(`${base}/other.wav`);
    expect(other).toMatchObject({ status: 'completed', audio_duration: 3 });
    expect(hits).toHaveLength(2);
  });

  it('fails with the download error on 403, 404, a refused connection or an expired presigned URL', async () => {
    const base = await files();
    const expired = `${base}/ok.wav?X-Amz-Date=${amzDate(Date.now() - 120_000)}&X-Amz-Expires=60&X-Amz-Signature=ab`;
    for (const url of [`${base}/denied.wav`, `${base}/gone.wav`, 'http://127.0.0.1:9/x.wav', expired]) {
      const done = await finish(url);
      expect(done.status).toBe('error');
      expect(done.error).toBe(
        `Download error, unable to download ${url}. Please make sure the file exists and is accessible from the internet.`,
      );
    }
    // The expired URL is refused without a request.
    expect(hits).toEqual(['/denied.wav', '/gone.wav']);
  });

  it('reads X-Amz-Date + X-Amz-Expires', () => {
    expect(presignedUntil(new URL('http://h/a?X-Amz-Date=20261130T010203Z&X-Amz-Expires=60'))).toBe(
      Date.UTC(2026, 10, 30, 1, 3, 3),
    );
    expect(presignedUntil(new URL('http://h/a'))).toBeNull();
  });
});
