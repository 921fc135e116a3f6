// Input abuse through the real CLI: a million-line URL file with 10% garbage, 20 MB of random
// bytes on stdin, a flood of webhooks with bad credentials, a 50 MB feed and a feed that never
// ends. Each ends as documented, in bounded memory, and nothing else changes.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServeProc, startServe, webhookEnv } from '../lib/serve.ts';
import { Stack } from '../lib/stack.ts';
import { sampleUrls, writeLines } from '../lib/workload.ts';
import { writeAbuseFile, writeRandomFile } from './inputs.ts';

const TMP = process.env.TMPDIR ?? '/tmp';
const BIG_LINES = Number(process.env.CHAOS_BIG_LINES ?? 1_000_000);
const SMALL_LINES = Math.min(100_000, BIG_LINES / 10);

const stacks: Stack[] = [];
afterAll(async () => {
  for (const s of stacks) await s.close();
});
async function stack(name: string, env: Record<string, string> = {}): Promise<Stack> {
  // The emulator's gateway limit is not under test here: mediatag's own LLM budget paces it.
  const s = await Stack.start({ name, env, emulator: { gateway: { requestsPerMinute: null } } });
  stacks.push(s);
  return s;
}

/** A stack trace in stderr means a crash, not a handled error. */
const crashed = (stderr: string) => /\n\s+at .+:\d+:\d+\)?\n/.test(stderr);

describe('input abuse: URL files', () => {
  it(`a ${BIG_LINES.toLocaleString('en-US')}-line file with 10% garbage: counts right, memory flat`, async () => {
    const small = await stack('abuse-small');
    const smallFile = join(TMP, `${small.prefix}.txt`);
    const smallCounts = await writeAbuseFile(smallFile, SMALL_LINES, small.emulator.url);
    const a = await small.cli(['enqueue', smallFile, '--batch', 'abuse'], {
      measureRss: true,
      timeoutMs: 600_000,
    });
    expect(a.code, a.stderr.slice(-500)).toBe(0);
    expect(a.stdout).toContain(
      `added ${smallCounts.valid}, already known 0, rejected ${smallCounts.garbage}`,
    );
    await small.close();

    const big = await stack('abuse-big');
    const bigFile = join(TMP, `${big.prefix}.txt`);
    const bigCounts = await writeAbuseFile(bigFile, BIG_LINES, big.emulator.url);
    const b = await big.cli(['enqueue', bigFile, '--batch', 'abuse'], {
      measureRss: true,
      timeoutMs: 600_000,
    });
    expect(b.code, b.stderr.slice(-500)).toBe(0);
    expect(b.stdout).toContain(`added ${bigCounts.valid}, already known 0, rejected ${bigCounts.garbage}`);
    // Rejections are listed with file and line, the first 100 only, then a count.
    expect(b.stderr).toMatch(/rejected .+:10: /);
    expect(b.stderr).toContain(`and ${bigCounts.garbage - 100} more rejected lines not shown`);
    expect(crashed(b.stderr)).toBe(false);
    expect(await big.jobCount('transcribe')).toBe(bigCounts.valid);
    console.log(
      `enqueue: ${SMALL_LINES} lines in ${(a.wallMs / 1000).toFixed(1)} s, peak RSS ${a.peakRssMb?.toFixed(0)} MB; ${BIG_LINES} lines in ${(b.wallMs / 1000).toFixed(1)} s, peak RSS ${b.peakRssMb?.toFixed(0)} MB (${b.rssMethod})`,
    );
    // Ten times the input, about the same memory: the file is streamed, never held. (With a
    // small CHAOS_BIG_LINES the first run is still warming up and this says little.)
    expect(a.peakRssMb).not.toBeNull();
    expect(b.peakRssMb as number).toBeLessThan((a.peakRssMb as number) * 1.25);
  }, 900_000);

  it('20 MB of random bytes on stdin: exit 2, nothing valid, no crash', async () => {
    const s = await stack('abuse-binary');
    const junk = join(TMP, `${s.prefix}.bin`);
    await writeRandomFile(junk, 20 * 1024 * 1024);
    const run = await s.cli(['enqueue', '-', '--batch', 'junk'], {
      stdinFile: junk,
      measureRss: true,
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr.slice(-500)).toBe(2);
    expect(run.stdout).toMatch(/added 0, already known 0, rejected \d+/);
    expect(run.stderr).toMatch(/rejected stdin:\d+: (invalid UTF-8|not an absolute URL|line longer than)/);
    expect(crashed(run.stderr)).toBe(false);
    expect(run.peakRssMb ?? 0).toBeLessThan(400);
    // Nothing valid was read: no batch is left behind.
    const { rows } = await s.pool.query('SELECT count(*)::int AS n FROM batches');
    expect(rows[0]?.n).toBe(0);
  });
});

describe('input abuse: webhook flood with bad credentials (mediatag serve)', () => {
  let s: Stack;
  let serve: ServeProc | undefined;
  beforeAll(async () => {
    // A lost webhook falls back to a check after 5 × POLL_MAX_MS: 10 s here.
    s = await stack('abuse-webhook', {
      ...(await webhookEnv()),
      POLL_MAX_MS: '2000',
      LLM_RATE_LIMIT: '100000/60',
    });
    s.emulator.configure({ timeScale: 100 });
  });
  afterAll(async () => {
    await serve?.stop();
  });

  /** A digest of every row that matters and every lasting Redis key of the run. */
  async function snapshot(): Promise<{ pg: string; redis: Record<string, string> }> {
    const { rows } = await s.pool.query(
      `SELECT (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM media_files t)
           || (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY media_file_id, taxonomy_id), '')) FROM tag_results t)
           || (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY batch_id, media_file_id), '')) FROM batch_files t) AS digest`,
    );
    const redis: Record<string, string> = {};
    for (const key of (await s.redis.keys(`${s.prefix}:*`)).sort()) {
      // Keys with a time to live (BullMQ's stalled-check marker, the rate budgets) expire on
      // their own; everything that holds jobs or state has none.
      if ((await s.redis.pttl(key)) !== -1) continue;
      const dump = await s.redis.dumpBuffer(key);
      redis[key] = dump ? createHash('sha1').update(dump).digest('hex') : 'gone';
    }
    return { pg: String(rows[0]?.digest), redis };
  }

  it('10,000 webhooks with a missing, wrong or mangled secret: all 401, nothing changes', async () => {
    // Real state first: a few files through the pipeline in webhook mode, then workers stopped.
    const urls = sampleUrls(s.emulator.url, 30);
    const file = join(TMP, `${s.prefix}.txt`);
    await writeLines(file, urls);
    serve = await startServe(s.env);
    await s.enqueue(file, 'hooks');
    const worker = s.spawnWorker({ concurrency: 10 });
    await s.waitFinal('hooks', { timeoutMs: 120_000, intervalMs: 250 });
    await s.stopWorker(worker);
    const { rows } = await s.pool.query(
      'SELECT transcript_id FROM media_files WHERE transcript_id IS NOT NULL',
    );
    const ids = rows.map((r) => String(r.transcript_id));
    expect(ids.length).toBe(30);
    const before = await snapshot();

    const header = s.env.WEBHOOK_AUTH_HEADER ?? 'x-mediatag-webhook-secret';
    const secret = s.env.WEBHOOK_SECRET as string;
    const badHeaders: Record<string, string>[] = [
      {},
      { [header]: '' },
      { [header]: 'wrong' },
      { [header]: `${secret}x` },
      { [header]: secret.slice(0, -1) },
      { [header]: secret.toUpperCase() },
      { [header]: 'x'.repeat(8000) },
      { authorization: secret },
      { [`${header}-x`]: secret },
    ];
    const bodies = [
      () =>
        JSON.stringify({ transcript_id: ids[Math.floor(Math.random() * ids.length)], status: 'completed' }),
      () => JSON.stringify({ transcript_id: randomUUID(), status: 'error' }),
      () => randomBytes(512).toString('base64'),
      () => '{"transcript_id":',
      () => JSON.stringify({ transcript_id: ids[0], status: 'completed', extra: 'x'.repeat(100_000) }),
    ];
    const statuses = new Map<number, number>();
    const TOTAL = 10_000;
    let sent = 0;
    const worker1 = async () => {
      while (sent < TOTAL) {
        const i = sent++;
        const res = await fetch(`${serve?.url}/webhooks/assemblyai`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...badHeaders[i % badHeaders.length] },
          body: (bodies[i % bodies.length] as () => string)(),
        });
        await res.body?.cancel();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: 32 }, worker1));
    console.log(
      `webhook flood: ${TOTAL} requests in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 401: TOTAL });
    expect(await snapshot()).toEqual(before);

    // The receiver still works for the real sender afterwards.
    const health = await fetch(`${serve.url}/healthz`);
    expect(health.status).toBe(200);
    const ok = await fetch(`${serve.url}/webhooks/assemblyai`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: secret },
      body: JSON.stringify({ transcript_id: ids[0], status: 'completed' }),
    });
    expect(ok.status).toBe(200);
  }, 240_000);
});

describe('input abuse: feeds (mediatag enqueue --rss)', () => {
  let server: Server;
  let base: string;
  const NOTES = `<p>${'Show notes nobody reads, repeated to make a big feed. '.repeat(180)}</p>`;
  const item = (n: number) =>
    `<item><title>Episode ${n}</title><guid>ep-${n}</guid><pubDate>Mon, 06 Jan 2025 09:30:00 +0000</pubDate>` +
    `<description><![CDATA[${NOTES}]]></description>` +
    `<enclosure url="http://127.0.0.1:9/feed/${n}.mp3" length="1234567" type="audio/mpeg"/></item>\n`;
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Abuse</title>\n';

  beforeAll(async () => {
    // Loopback only: /feed?items=N serves a finite feed; /endless never stops sending items.
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write(head);
      const endless = url.pathname === '/endless';
      const items = Number(url.searchParams.get('items') ?? 0);
      let n = 0;
      let closed = false;
      res.on('close', () => {
        closed = true;
      });
      // Stops when the client hangs up (or after 2 GB, so this test can never run away).
      while (!closed && (endless ? n < 200_000 : n < items)) {
        let batch = '';
        for (let i = 0; i < 100 && (endless || n < items); i++) batch += item(n++);
        if (!res.write(batch)) await once(res, 'drain').catch(() => undefined);
      }
      if (!closed) res.end('</channel></rss>\n');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a 50 MB feed is read item by item: all episodes added, memory like a 1 MB feed', async () => {
    const itemBytes = Buffer.byteLength(item(100_000));
    const bigItems = Math.ceil((50 * 1024 * 1024) / itemBytes);
    const smallItems = Math.ceil((1024 * 1024) / itemBytes);
    const s = await stack('abuse-feed');
    const small = await s.cli(
      [
        'enqueue',
        '--rss',
        `${base}/feed?items=${smallItems}`,
        '--allow-private-hosts',
        '--batch',
        'feed-small',
      ],
      {
        measureRss: true,
        timeoutMs: 300_000,
      },
    );
    expect(small.code, small.stderr.slice(-500)).toBe(0);
    expect(small.stdout).toContain(`added ${smallItems},`);
    const big = await s.cli(
      ['enqueue', '--rss', `${base}/feed?items=${bigItems}`, '--allow-private-hosts', '--batch', 'feed-big'],
      {
        measureRss: true,
        timeoutMs: 300_000,
      },
    );
    expect(big.code, big.stderr.slice(-500)).toBe(0);
    expect(big.stdout).toContain(`added ${bigItems},`);
    console.log(
      `feeds: 1 MB (${smallItems} items) peak RSS ${small.peakRssMb?.toFixed(0)} MB; 50 MB (${bigItems} items) peak RSS ${big.peakRssMb?.toFixed(0)} MB in ${(big.wallMs / 1000).toFixed(1)} s`,
    );
    // Holding the document would add ~100 MB (50 MB as UTF-16) on top.
    expect((big.peakRssMb as number) - (small.peakRssMb as number)).toBeLessThan(50);
  }, 400_000);

  it('a feed that never ends stops at FEED_MAX_BYTES with a clear message (exit 2)', async () => {
    const s = await stack('abuse-endless', { FEED_MAX_BYTES: String(20 * 1024 * 1024) });
    const run = await s.cli(
      ['enqueue', '--rss', `${base}/endless`, '--allow-private-hosts', '--batch', 'endless'],
      {
        measureRss: true,
        timeoutMs: 120_000,
      },
    );
    expect(run.signal, 'killed by the test timeout').toBeNull();
    expect(run.code, run.stderr.slice(-500)).toBe(2);
    expect(run.stderr).toMatch(/larger than 20971520 bytes/);
    expect(crashed(run.stderr)).toBe(false);
    expect(run.peakRssMb ?? 0).toBeLessThan(400);
  }, 180_000);
});
