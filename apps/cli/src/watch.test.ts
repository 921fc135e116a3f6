import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const s of servers.splice(0)) s.close();
});

/** A feed host on 127.0.0.1: `route` answers each request; every request is logged. */
async function host(route: (req: IncomingMessage, res: ServerResponse) => void) {
  const log: { path: string; status: number }[] = [];
  const server = createServer((req, res) => {
    res.on('finish', () => log.push({ path: req.url ?? '', status: res.statusCode }));
    route(req, res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log };
}

function rss(title: string, episodes: { guid: string; url: string }[], extra = ''): string {
  const items = episodes
    .map(
      (e) =>
        `<item><title>${e.guid}</title><guid>${e.guid}</guid><enclosure url="${e.url}" type="audio/mpeg"/></item>`,
    )
    .join('');
  return `<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>${title}</title>${extra}${items}</channel></rss>`;
}

/** Serves `body()` with an ETag; answers 304 to a matching If-None-Match. */
function serveFeed(res: ServerResponse, req: IncomingMessage, body: string) {
  const etag = `"${Buffer.from(body).length}-${body.length % 97}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag }).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/rss+xml', etag }).end(body);
}

const eps = (base: string, show: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    guid: `${show}-${i + 1}`,
    url: `${base}/audio/${show}-${i + 1}.mp3`,
  }));

describe('mediatag watch (feeds on a local host, real sockets)', () => {
  it('three cycles: everything, then only 304s, then just the new episode after both feeds moved host', async () => {
    h = await startHarness();
    let moved = false;
    const newHost = await host((req, res) => {
      // After the move: the same guids with enclosures on the new host, plus one new episode each.
      if (req.url === '/a.xml') serveFeed(res, req, rss('Show A', eps(newHost.url, 'a', 4)));
      else if (req.url === '/b.xml') serveFeed(res, req, rss('Show B', eps(newHost.url, 'b', 3)));
      else res.writeHead(404).end();
    });
    const oldHost = await host((req, res) => {
      if (req.url === '/a.xml') {
        // Show A announces its new home in the feed; Show B's old host answers 301.
        const extra = moved ? `<itunes:new-feed-url>${newHost.url}/a.xml</itunes:new-feed-url>` : '';
        serveFeed(res, req, rss('Show A', eps(oldHost.url, 'a', 3), extra));
      } else if (req.url === '/b.xml') {
        if (moved) res.writeHead(301, { location: `${newHost.url}/b.xml` }).end();
        else serveFeed(res, req, rss('Show B', eps(oldHost.url, 'b', 2)));
      } else res.writeHead(404).end();
    });
    const args = [
      'watch',
      '--rss',
      `${oldHost.url}/a.xml`,
      '--rss',
      `${oldHost.url}/b.xml`,
      '--batch',
      'shows',
      '--once',
      '--allow-private-hosts',
    ];
    const first = await h.cli(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('cycle 1: 2 feeds: 2 read (5 episodes added), 0 not modified (304)');

    oldHost.log.length = 0;
    const second = await h.cli(args);
    expect(second.stdout).toContain('2 feeds: 0 read (0 episodes added), 2 not modified (304), 0 failed');
    expect(oldHost.log).toEqual([
      { path: '/a.xml', status: 304 },
      { path: '/b.xml', status: 304 },
    ]);

    moved = true;
    const third = await h.cli(args);
    expect(third.stdout).toContain('2 feeds: 2 read (2 episodes added)');
    expect(third.stdout).toContain('2 moved');
    expect(third.stderr).toContain(`says it moved to ${newHost.url}/a.xml (itunes:new-feed-url)`);
    expect(third.stderr).toContain(`moved permanently to ${newHost.url}/b.xml`);

    const { rows } = await h.db.pool.query(
      `SELECT bf.guid, m.url FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id ORDER BY bf.guid`,
    );
    expect(rows.map((r) => r.guid)).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'b-1', 'b-2', 'b-3']);
    // The archive stayed on its old URLs: nothing was added (or paid for) twice.
    expect(rows.filter((r) => r.url.startsWith(newHost.url)).map((r) => r.guid)).toEqual(['a-4', 'b-3']);
    const feeds = await h.db.pool.query(
      'SELECT url, key_url, aliases, title, not_modified_count, episodes_added, items_seen FROM feeds ORDER BY key_url',
    );
    expect(feeds.rows).toEqual([
      {
        url: `${newHost.url}/a.xml`,
        key_url: `${oldHost.url}/a.xml`,
        aliases: [`${oldHost.url}/a.xml`],
        title: 'Show A',
        not_modified_count: 1,
        episodes_added: 4,
        items_seen: 4,
      },
      {
        url: `${newHost.url}/b.xml`,
        key_url: `${oldHost.url}/b.xml`,
        aliases: [`${oldHost.url}/b.xml`],
        title: 'Show B',
        not_modified_count: 1,
        episodes_added: 3,
        items_seen: 3,
      },
    ]);

    // A fourth cycle asks the new host, conditionally: 304s, and the old host is not asked.
    oldHost.log.length = 0;
    newHost.log.length = 0;
    const fourth = await h.cli(args);
    expect(fourth.stdout).toContain('2 not modified (304)');
    expect(oldHost.log).toEqual([]);
    expect(newHost.log.map((l) => l.status)).toEqual([304, 304]);
  });

  it('an OPML export with a dead feed imports the rest and names the dead one; 429 Retry-After is honoured', async () => {
    h = await startHarness();
    let busy = true;
    const feeds = await host((req, res) => {
      if (req.url === '/one.xml') serveFeed(res, req, rss('One', eps(feeds.url, 'one', 2)));
      else if (req.url === '/two.xml') serveFeed(res, req, rss('Two', eps(feeds.url, 'two', 1)));
      else res.writeHead(404).end();
    });
    const other = await host((req, res) => {
      if (busy) res.writeHead(429, { 'retry-after': '3600' }).end();
      else serveFeed(res, req, rss('Busy', eps(other.url, 'busy', 1)));
    });
    const opml = join(tmpdir(), `mediatag-subs-${process.pid}-${Date.now()}.opml`);
    await writeFile(
      opml,
      `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Podcasts</title></head><body>
  <outline text="feeds"><outline type="rss" text="One" xmlUrl="${feeds.url}/one.xml"/>
  <outline type="rss" text="Gone Show" xmlUrl="${feeds.url}/gone.xml"/>
  <outline type="rss" text="Two" xmlURL="${feeds.url}/two.xml"/></outline>
  <outline type="rss" text="Busy Show" xmlUrl="${other.url}/busy.xml"/>
  <outline type="rss" text="Broken" xmlUrl="javascript:alert(1)"/>
</body></opml>`,
    );
    const args = ['watch', '--opml', opml, '--batch', 'subs', '--once', '--allow-private-hosts'];
    const run = await h.cli(args);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`${opml}: 4 feeds`);
    expect(run.stderr).toContain(`rejected ${opml}: Broken:`);
    expect(run.stderr).toContain(
      `feed ${feeds.url}/gone.xml (Gone Show) failed: feed ${feeds.url}/gone.xml: HTTP 404`,
    );
    expect(run.stdout).toContain('4 feeds: 2 read (3 episodes added), 0 not modified (304), 2 failed');
    const rows = await h.db.pool.query(
      "SELECT title, last_status, last_error, consecutive_failures, next_fetch_at > now() + interval '50 minutes' AS later FROM feeds ORDER BY id",
    );
    expect(rows.rows.map((r) => [r.title, r.last_status, r.consecutive_failures])).toEqual([
      ['One', 200, 0],
      ['Gone Show', 404, 1],
      ['Two', 200, 0],
      ['Busy Show', 429, 1],
    ]);
    // Retry-After: 3600 keeps the busy host unasked on the next run, even once it recovers.
    expect(rows.rows[3]?.later).toBe(true);
    busy = false;
    other.log.length = 0;
    const again = await h.cli(args);
    expect(other.log).toEqual([]);
    expect(again.stdout).toContain('2 not modified (304)');
    // A feed that has failed every fetch for a day is reported as such and asked once a day.
    await h.db.pool.query(
      "UPDATE feeds SET failing_since = now() - interval '25 hours', next_fetch_at = NULL WHERE title = 'Gone Show'",
    );
    const day = await h.cli(args);
    expect(day.stderr).toMatch(
      /feed \S+\/gone\.xml \(Gone Show\) has failed every fetch since \S+ \(\d+ times\): .*HTTP 404; trying it once a day/,
    );
    const gone = await h.db.pool.query(
      "SELECT next_fetch_at > now() + interval '23 hours' AS tomorrow FROM feeds WHERE title = 'Gone Show'",
    );
    expect(gone.rows[0]?.tomorrow).toBe(true);
    const status = await h.cli(['status', '--batch', 'subs']);
    expect(status.stdout).toMatch(
      /feed subs: Gone Show <\S+\/gone\.xml>: .*DEAD: failing for over a day .*HTTP 404/,
    );
    expect(status.stdout).toMatch(
      /feed subs: One <\S+\/one\.xml>: last fetched \S+ \(304\), 2 items, 2 episodes added, ok/,
    );
  });
});
