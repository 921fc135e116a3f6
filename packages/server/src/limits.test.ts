// Bad clients on real sockets: a body or headers trickled a byte at a time, a failed
// authentication followed by more bytes, more sockets than the cap. Each must end with the
// server closing the connection, well before the margins asserted here.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.ts';
import { type Fixture, HEADER, openFixture, SECRET } from './testing.ts';

let f: Fixture;
let server: RunningServer;
const DEADLINE_MS = 1000;

beforeAll(async () => {
  f = await openFixture();
  server = await f.serve({
    webhook: { headerName: HEADER, secret: SECRET },
    requestDeadlineMs: DEADLINE_MS,
    maxConnections: 4,
  });
});
afterAll(async () => {
  await f.close();
});

/** A raw client: what it received, and when (ms after opening) the server closed it, if it did. */
interface Probe {
  socket: Socket;
  received(): string;
  closed: Promise<number>;
  timers: NodeJS.Timeout[];
  stop(): void;
}

async function open(port = server.port): Promise<Probe> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const started = performance.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(performance.now() - started)),
  );
  const timers: NodeJS.Timeout[] = [];
  return {
    socket,
    received: () => text,
    closed,
    timers,
    stop() {
      for (const timer of timers) clearInterval(timer);
      socket.destroy();
    },
  };
}

/** Writes one byte of `text` every `everyMs` until it is all sent or the socket closes. */
function trickle(probe: Probe, text: string, everyMs = 200): void {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= text.length || probe.socket.destroyed) {
      clearInterval(timer);
      return;
    }
    probe.socket.write(text[i++] as string);
  }, everyMs);
  probe.timers.push(timer);
}

/** Resolves with the close time, or with Infinity once `limitMs` passed with the socket still open. */
function closedWithin(probe: Probe, limitMs: number): Promise<number> {
  return Promise.race([
    probe.closed,
    new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), limitMs)),
  ]);
}

const body = JSON.stringify({ transcript_id: 'tr-slow', status: 'completed' }).padEnd(200, ' ');

describe('request deadline on a real socket', () => {
  it('closes a POST whose body trickles in, even with the right secret', async () => {
    const probe = await open();
    try {
      probe.socket.write(
        `POST /webhooks/assemblyai HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${HEADER}: ${SECRET}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      trickle(probe, body);
      // Deadline 1 s; 200 bytes at 5 a second would take 40 s.
      expect(await closedWithin(probe, 5000)).toBeLessThan(5000);
      expect(probe.received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      probe.stop();
    }
  });

  it('closes a request whose headers trickle in', async () => {
    const probe = await open();
    try {
      trickle(probe, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`);
      expect(await closedWithin(probe, 5000)).toBeLessThan(5000);
    } finally {
      probe.stop();
    }
  });

  it('answers a wrong secret 401 with Connection: close and closes, however slowly the body comes', async () => {
    const probe = await open();
    try {
      probe.socket.write(
        `POST /webhooks/assemblyai HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${HEADER}: wrong\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      trickle(probe, body);
      expect(await closedWithin(probe, 5000)).toBeLessThan(5000);
      const head = probe.received().split('\r\n\r\n')[0] ?? '';
      expect(head).toMatch(/^HTTP\/1\.1 401 /);
      expect(head).toMatch(/^connection: close$/im);
    } finally {
      probe.stop();
    }
  });

  it('still answers a quick webhook delivery normally', async () => {
    const fileId = await f.addFile('tr-quick', 'completed');
    const res = await fetch(`${server.url}/webhooks/assemblyai`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [HEADER]: SECRET },
      body: JSON.stringify({ transcript_id: 'tr-quick', status: 'completed' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, already: 'completed' });
    expect(fileId).toBeGreaterThan(0);
  });
});

describe('connection cap', () => {
  it('closes sockets beyond maxConnections at once and serves again when they go', async () => {
    const held = await Promise.all([open(), open(), open(), open()]);
    try {
      const extra = await open();
      expect(await closedWithin(extra, 3000)).toBeLessThan(3000);
      extra.stop();
    } finally {
      for (const p of held) p.stop();
    }
    await expect
      .poll(async () => (await fetch(`${server.url}/healthz`).catch(() => undefined))?.status, {
        timeout: 5000,
      })
      .toBe(200);
  });
});
