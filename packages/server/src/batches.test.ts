import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@mediatag/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { type Fixture, openFixture } from './testing.ts';

let f: Fixture;
const EVIL = '<script>alert("batch")</script>';
const EVIL_URL = 'https://example.com/a.mp3?x="><script>alert(1)</script>';
const EVIL_ERROR = 'download error <img src=x onerror=alert(2)>';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const CREDENTIALS = { user: 'admin', password: 'correct-horse' };

beforeAll(async () => {
  f = await openFixture();
  // A batch of the preset media list: one tagged file, one failed with markup in URL and error.
  await f.db.pool.query(
    `WITH b AS (INSERT INTO batches (name, taxonomy_id) SELECT $1, id FROM taxonomies WHERE name = 'media' RETURNING id, taxonomy_id),
     ok AS (INSERT INTO media_files (url, transcript_id, transcript_status, audio_duration_s, cost_usd, submitted_at, completed_at)
            VALUES ('https://example.com/ok.mp3', 't-ok', 'completed', 1800, 0.105, now() - interval '42 seconds', now()) RETURNING id),
     bad AS (INSERT INTO media_files (url, transcript_status, error, error_kind) VALUES ($2, 'error', $3, 'api') RETURNING id),
     bf AS (INSERT INTO batch_files (batch_id, media_file_id) SELECT b.id, ok.id FROM b, ok UNION ALL SELECT b.id, bad.id FROM b, bad),
     tr AS (INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, input_tokens, output_tokens, cost_usd)
       SELECT ok.id, b.taxonomy_id, 'tagged', 'Sports', 1000, 10, 0.00315 FROM ok, b)
     -- What was billed, as the workers record it in the same statements (cost_ledger).
     INSERT INTO cost_ledger (kind, media_file_id, batch_id, taxonomy_id, transcript_id, audio_seconds,
                              input_tokens, output_tokens, cost_usd)
       SELECT 'transcription', ok.id, b.id, NULL, 't-ok', 1800, NULL, NULL, 0.105 FROM ok, b
       UNION ALL SELECT 'tagging', ok.id, b.id, b.taxonomy_id, NULL, NULL, 1000, 10, 0.00315 FROM ok, b`,
    [EVIL, EVIL_URL, EVIL_ERROR],
  );
});
afterAll(async () => {
  await f.close();
});

describe('/batches behind the dashboard credentials', () => {
  it('answers 401 without or with wrong credentials, and the pages with the right ones', async () => {
    const s = await f.serve({ batchPages: CREDENTIALS });
    const path = `/batches/${encodeURIComponent(EVIL)}`;
    for (const p of ['/batches', path]) {
      expect((await fetch(`${s.url}${p}`)).status).toBe(401);
      const wrong = await fetch(`${s.url}${p}`, { headers: { authorization: basic('admin', 'nope') } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    }
    const auth = { authorization: basic(CREDENTIALS.user, CREDENTIALS.password) };

    const list = await fetch(`${s.url}/batches`, { headers: auth });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(list.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    const listHtml = await list.text();
    expect(listHtml).toContain('<meta http-equiv="refresh" content="10">');
    expect(listHtml).toContain(`<a href="batches/${encodeURIComponent(EVIL)}">${escaped(EVIL)}</a>`);
    expect(listHtml).toMatch(
      /<td class="n">2<\/td><td class="n">1<\/td><td class="n">0<\/td>\s*<td class="n">1<\/td>/,
    );
    expect(listHtml).not.toContain('<script>alert');

    const report = await fetch(`${s.url}${path}`, { headers: auth });
    expect(report.status).toBe(200);
    const html = await report.text();
    // Every user-controlled string arrives as text: batch name, URL, error text.
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escaped(EVIL));
    expect(html).toContain(escaped(EVIL_URL));
    expect(html).toContain(escaped(EVIL_ERROR));
    // In the chart data too, where `<` is a JSON escape so the script element cannot be closed.
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    expect(json).not.toMatch(/[<>]/);
    expect(JSON.parse(json).series[0].name).toBe(EVIL);
    // Cost and hours from batch_costs: 0.5 h, $0.105 + $0.00315.
    expect(html).toMatch(/<th scope="row">Audio hours<\/th><td class="n">0\.5<\/td>/);
    expect(html).toMatch(/<th scope="row">Total cost<\/th><td class="n"><strong>\$0\.1082<\/strong><\/td>/);

    const missing = await fetch(`${s.url}/batches/${encodeURIComponent('<b>nope</b>')}`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await missing.text()).toBe('no batch named "<b>nope</b>" (see: mediatag status)');
  });

  it('without credentials: served on a loopback host, absent (404) on any other', async () => {
    const open = await f.serve({ batchPages: {} });
    expect((await fetch(`${open.url}/batches`)).status).toBe(200);
    expect((await fetch(`${open.url}/batches/${encodeURIComponent(EVIL)}`)).status).toBe(200);

    // As `mediatag serve` on HOST=0.0.0.0 builds it (listening here on loopback only).
    const { app, close } = createApp({
      db: f.db.db,
      redis: f.redis,
      queues: f.queues,
      log: silentLogger(),
      batchPages: { host: '0.0.0.0' },
    });
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/batches`)).status).toBe(404);
      expect((await fetch(`${base}/batches/${encodeURIComponent(EVIL)}`)).status).toBe(404);
    } finally {
      close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('does not exist unless asked for', async () => {
    const s = await f.serve();
    expect((await fetch(`${s.url}/batches`)).status).toBe(404);
  });
});

function escaped(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
