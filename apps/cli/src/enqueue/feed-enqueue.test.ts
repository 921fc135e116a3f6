// `mediatag enqueue --rss` end to end: real Postgres, real Redis, feeds from files and from
// a real HTTP server on 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@mediatag/db/testing';
import { createRedis } from '@mediatag/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../harness.ts';
import { runCli } from '../testing.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = `mt-test-${randomBytes(4).toString('hex')}`;
let t: TestDatabase;
let env: Record<string, string>;
let dir: string;
let server: Server;
let base: string;
const pages = new Map<string, { status: number; body: string; location?: string }>();

beforeAll(async () => {
  t = await createTestDatabase();
  env = { DATABASE_URL: t.url, REDIS_URL, QUEUE_PREFIX: prefix, DATABASE_POOL_SIZE: '3' };
  dir = await mkdtemp(join(tmpdir(), 'mt-feed-enqueue-'));
  server = createServer((req, res) => {
    const page = pages.get(req.url ?? '');
    if (!page) return res.writeHead(404).end('not here');
    res.writeHead(page.status, page.location ? { location: page.location } : {}).end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const redis = createRedis(REDIS_URL, 'worker');
  await deleteKeys(redis, `${prefix}:*`);
  redis.disconnect();
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});

function item(guid: string, duration: string, type = 'audio/mpeg'): string {
  return (
    `<item><title>${guid}</title><guid>${guid}</guid><itunes:duration>${duration}</itunes:duration>` +
    `<enclosure url="https://cdn.example.org/show/${guid}.mp3" type="${type}"/></item>\n`
  );
}

function rss(items: string): string {
  return (
    '\n<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ' +
    `xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Show</title>\n${items}</channel></rss>\n`
  );
}

async function rows(batch: string) {
  const { rows } = await t.pool.query(
    `SELECT bf.guid, bf.episode_duration_s AS d, bf.feed_url FROM batch_files bf
     JOIN batches b ON b.id = bf.batch_id WHERE b.name = $1 ORDER BY bf.guid`,
    [batch],
  );
  return rows as { guid: string; d: number | null; feed_url: string }[];
}

describe('enqueue --rss', () => {
  it('adds every good item of a feed with one bad item, and reports the bad one by number and guid', async () => {
    const path = join(dir, 'one-bad.xml');
    await writeFile(
      path,
      rss(
        item('good-1', '1014.708375') +
          item('bad-1', '99999999999') +
          item('good-2', '01:02:03.500', 'x-audio/mpeg') +
          item('good-3', '42:07'),
      ),
    );
    const run = await runCli(['enqueue', '--rss', path, '--batch', 'one-bad'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('added 3, already known 0, rejected 1');
    expect(run.stderr).toBe(
      `rejected ${path}: item 2 (bad-1): duration "99999999999" is out of range (over 2147483647 seconds)\n`,
    );
    expect((await rows('one-bad')).map((r) => [r.guid, r.d])).toEqual([
      ['good-1', 1015],
      ['good-2', 3724],
      ['good-3', 2527],
    ]);
    const again = await runCli(['enqueue', '--rss', path, '--batch', 'one-bad'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('added 0, already known 3, rejected 1');
  });

  it('says what was added when a feed breaks part-way, and a re-run adds only the rest', async () => {
    const path = join(dir, 'cut.xml');
    let items = '';
    for (let n = 1; n <= 1200; n += 1) items += item(`ep-${String(n).padStart(4, '0')}`, '60');
    const whole = rss(items);
    // Cut inside the last items: the first 1,000 are written as one chunk before the error.
    await writeFile(path, whole.slice(0, whole.indexOf('ep-1150')));
    const cut = await runCli(['enqueue', '--rss', path, '--batch', 'cut'], env);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(
      new RegExp(
        `^mediatag: feed ${path} is not well-formed XML .*\\n1000 files were added to batch cut before this; ` +
          'running the same command again continues \\(what is already in the batch is skipped\\)\\n$',
      ),
    );
    expect(await rows('cut')).toHaveLength(1000);
    await writeFile(path, whole);
    const again = await runCli(['enqueue', '--rss', path, '--batch', 'cut'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('added 200, already known 1000, rejected 0');
    expect(await rows('cut')).toHaveLength(1200);
  });

  it('over HTTP: follows a redirect with --allow-private-hosts, refuses loopback without it, exits 2 on 404', async () => {
    pages.set('/old.xml', { status: 302, body: 'moved', location: '/feed.xml' });
    pages.set('/feed.xml', { status: 200, body: rss(item('web-1', '10') + item('web-2', '20')) });

    const refused = await runCli(['enqueue', '--rss', `${base}/old.xml`, '--batch', 'web'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `mediatag: feed ${base}/old.xml: refused: 127.0.0.1 is a loopback address; pass --allow-private-hosts`,
    );
    expect(refused.stderr).toContain('nothing was added to batch web before this');
    expect(await rows('web')).toEqual([]);

    const missing = await runCli(
      ['enqueue', '--rss', `${base}/gone.xml`, '--allow-private-hosts', '--batch', 'web'],
      env,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(new RegExp(`^mediatag: feed ${base}/gone.xml: HTTP 404\\n`));

    const run = await runCli(
      ['enqueue', '--rss', `${base}/old.xml`, '--allow-private-hosts', '--batch', 'web'],
      env,
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('added 2, already known 0, rejected 0');
    expect(await rows('web')).toEqual([
      { guid: 'web-1', d: 10, feed_url: `${base}/feed.xml` },
      { guid: 'web-2', d: 20, feed_url: `${base}/feed.xml` },
    ]);
  });
});
