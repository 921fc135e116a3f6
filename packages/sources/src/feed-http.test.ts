// feedEpisodes against real HTTP servers on loopback. MockAgent is not enough here: it once
// hid that destroying an unread redirect body crashed the process on every real redirect.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FatalError, UsageError } from '@mediatag/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeedOptions, type FeedRecord, feedEpisodes } from './feed.ts';
import { forbiddenAddress } from './feed-address.ts';

const RSS = await readFile(new URL('./fixtures/podcast-rss.xml', import.meta.url), 'utf8');
const RELATIVE_ATOM = await readFile(new URL('./fixtures/relative-atom.xml', import.meta.url), 'utf8');
const RELATIVE_RSS =
  '<rss><channel><title>R</title><item><guid>r1</guid><enclosure url="media/r1.mp3" type="audio/mpeg"/></item>' +
  '<item><guid>r2</guid><enclosure url="//cdn.example.org/r2.mp3" type="audio/mpeg"/></item></channel></rss>';
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A server on `host`, port 0, counting the requests each path received. */
async function startServer(host: string, routes: Record<string, Handler>) {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes[path];
    if (handler) handler(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://${host}:${port}`,
    port,
    hits: (path: string) => hits.get(path) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const redirect =
  (status: number, location: string): Handler =>
  (_req, res) =>
    // A body the client never reads, as real servers send ("Moved Permanently…").
    res.writeHead(status, { location, 'content-type': 'text/html' }).end(`<p>moved to ${location}</p>`);

const feed: Handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS);

let local: Awaited<ReturnType<typeof startServer>>;
// Stands in for a public host: the policy in these tests lets 127.0.0.2 through, nothing else.
let outside: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  const routes: Record<string, Handler> = {
    '/feed.xml': feed,
    '/a/r301': redirect(301, '/a/b/r302'),
    '/a/b/r302': redirect(302, 'r303'),
    '/a/b/r303': redirect(303, '../r307'),
    '/a/r308': redirect(308, '../feed.xml'),
    '/loop': redirect(302, '/loop'),
    '/old-atom': redirect(301, '/shows/night/feed.xml'),
    '/shows/night/feed.xml': (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(RELATIVE_ATOM),
    '/podcasts/relative.rss': (_req, res) => res.writeHead(200).end(RELATIVE_RSS),
    '/error': (_req, res) => res.writeHead(500).end('internal error'),
    '/slow-headers': () => undefined,
    '/slow-body': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<rss><channel><title>Slow</title>');
    },
    '/truncated': (req, res) => {
      res.writeHead(200, {
        'content-type': 'application/rss+xml',
        'content-length': String(Buffer.byteLength(RSS)),
      });
      res.write(RSS.slice(0, 2000), () => req.socket.destroy());
    },
    '/big-announced': (_req, res) => {
      const body = Buffer.from(RSS.repeat(5));
      res.writeHead(200, { 'content-length': String(body.length) }).end(body);
    },
    '/big-chunked': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      // Chunked, no length: only the running count can stop it.
      for (let i = 0; i < 20; i++) res.write(RSS.slice(0, 1000));
      res.end();
    },
  };
  local = await startServer('127.0.0.1', routes);
  // An absolute Location needs the port, known only now; routes are looked up per request.
  routes['/a/r307'] = redirect(307, `${local.base}/a/r308`);
  outside = await startServer('127.0.0.2', {
    '/to-literal': redirect(302, `http://127.0.0.1:${local.port}/feed.xml`),
    '/to-name': redirect(302, `http://localhost:${local.port}/feed.xml`),
    '/feed.xml': feed,
  });
});
afterAll(async () => {
  await local.close();
  await outside.close();
});

const ALLOW: FeedOptions = { maxBytes: 1024 * 1024, allowPrivateHosts: true };

async function collect(source: string, options: FeedOptions = ALLOW): Promise<FeedRecord[]> {
  const out: FeedRecord[] = [];
  for await (const record of feedEpisodes(source, options)) out.push(record);
  return out;
}

async function failure(source: string, options: FeedOptions = ALLOW): Promise<Error> {
  try {
    await collect(source, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('feedEpisodes over real HTTP', () => {
  it('follows 301, 302, 303, 307 and 308 with relative Locations to the feed', async () => {
    // 307 goes to an absolute URL on the same server.
    const records = await collect(`${local.base}/a/r301`, { ...ALLOW, maxRedirects: 5 });
    expect(records).toHaveLength(8);
    expect(records[0]).toMatchObject({
      kind: 'episode',
      url: 'https://media.example.org/tidepool/001.mp3',
      feedUrl: `${local.base}/feed.xml`,
    });
    for (const path of ['/a/r301', '/a/b/r302', '/a/b/r303', '/a/r307', '/a/r308', '/feed.xml']) {
      expect(local.hits(path), path).toBeGreaterThan(0);
    }
  });

  it('resolves relative enclosure URLs against the final URL after redirects', async () => {
    const atom = await collect(`${local.base}/old-atom`);
    expect(atom.map((r) => (r.kind === 'episode' ? r.url : r.reason))).toEqual([
      `${local.base}/shows/ep1.mp3`,
      `${local.base}/audio/ep2.mp3`,
      'https://cdn.example.net/relative/ep3.mp3',
    ]);
    expect(atom[0]).toMatchObject({ feedUrl: `${local.base}/shows/night/feed.xml` });
    const rss = await collect(`${local.base}/podcasts/relative.rss`);
    expect(rss.map((r) => (r.kind === 'episode' ? r.url : r.reason))).toEqual([
      `${local.base}/podcasts/media/r1.mp3`,
      'http://cdn.example.org/r2.mp3',
    ]);
  });

  it('gives up after maxRedirects with a usage error', async () => {
    const before = local.hits('/loop');
    const error = await failure(`${local.base}/loop`, { ...ALLOW, maxRedirects: 3 });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`feed ${local.base}/loop: more than 3 redirects`);
    expect(local.hits('/loop') - before).toBe(4);
  });

  it.each([
    ['/missing.xml', 404],
    ['/error', 500],
  ])('names the URL and status of %s (HTTP %i) as a usage error', async (path, status) => {
    const error = await failure(`${local.base}${path}`);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`feed ${local.base}${path}: HTTP ${status}`);
  });

  it('times out waiting for headers, and when the body stalls', async () => {
    const headers = await failure(`${local.base}/slow-headers`, { ...ALLOW, timeoutMs: 300 });
    expect(headers).toBeInstanceOf(FatalError);
    expect(headers.message).toBe(`feed ${local.base}/slow-headers: no answer within 300 ms`);
    const body = await failure(`${local.base}/slow-body`, { ...ALLOW, timeoutMs: 300 });
    expect(body).toBeInstanceOf(FatalError);
    expect(body.message).toBe(
      `feed ${local.base}/slow-body: download stopped after 33 bytes: no data for 300 ms`,
    );
  });

  it('reports a body cut off by the server', async () => {
    const error = await failure(`${local.base}/truncated`);
    expect(error).toBeInstanceOf(FatalError);
    expect(error.message).toMatch(
      new RegExp(
        `^feed ${local.base}/truncated: download stopped after \\d+ bytes: the server closed the connection$`,
      ),
    );
  });

  it('refuses a body over maxBytes, announced or streamed', async () => {
    for (const path of ['/big-announced', '/big-chunked']) {
      const error = await failure(`${local.base}${path}`, { ...ALLOW, maxBytes: 5000 });
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toBe(`feed ${local.base}${path} is larger than 5000 bytes`);
    }
  });
});

describe('feedEpisodes refuses internal addresses', () => {
  it('refuses loopback by IP and by name before connecting, unless allowed', async () => {
    const before = local.hits('/feed.xml');
    const literal = await failure(`${local.base}/feed.xml`, { maxBytes: 1024 * 1024 });
    expect(literal).toBeInstanceOf(UsageError);
    expect(literal.message).toBe(
      `feed ${local.base}/feed.xml: refused: 127.0.0.1 is a loopback address; pass --allow-private-hosts to read feeds from private networks`,
    );
    const v6 = await failure(`http://[::1]:${local.port}/feed.xml`, { maxBytes: 1024 * 1024 });
    expect(v6.message).toContain('refused: ::1 is a loopback address');
    const named = await failure(`http://localhost:${local.port}/feed.xml`, { maxBytes: 1024 * 1024 });
    expect(named).toBeInstanceOf(UsageError);
    expect(named.message).toMatch(
      /refused: host localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    );
    expect(local.hits('/feed.xml')).toBe(before);
    // The same feed with the option: read.
    expect(await collect(`http://localhost:${local.port}/feed.xml`)).toHaveLength(8);
  });

  it('checks every redirect hop, by IP and by resolved name', async () => {
    const policy: FeedOptions = {
      maxBytes: 1024 * 1024,
      checkAddress: (address) => (address === '127.0.0.2' ? null : forbiddenAddress(address)),
    };
    // The stand-in public host itself is readable under this policy.
    expect(await collect(`${outside.base}/feed.xml`, policy)).toHaveLength(8);
    const before = local.hits('/feed.xml');
    const literal = await failure(`${outside.base}/to-literal`, policy);
    expect(literal).toBeInstanceOf(UsageError);
    expect(literal.message).toBe(
      `feed ${outside.base}/to-literal (redirected to ${local.base}/feed.xml): refused: 127.0.0.1 is a loopback address; pass --allow-private-hosts to read feeds from private networks`,
    );
    const named = await failure(`${outside.base}/to-name`, policy);
    expect(named).toBeInstanceOf(UsageError);
    expect(named.message).toMatch(
      /\(redirected to http:\/\/localhost:\d+\/feed\.xml\): refused: host localhost/,
    );
    expect(local.hits('/feed.xml')).toBe(before);
  });
});
