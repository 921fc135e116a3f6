import { type ChildProcess, spawn } from 'node:child_process';
import { cliEnvSchema, parseEnv } from '@mediatag/config';
import { SAMPLES } from '@mediatag/emulator/samples';
import { createRedis, redisKeys } from '@mediatag/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';

const mediaIds = SAMPLES.filter((s) => s.taxonomy === 'media').map((s) => s.id);
const callIds = SAMPLES.filter((s) => s.taxonomy === 'support-calls').map((s) => s.id);
const expected = new Map(SAMPLES.map((s) => [s.id, s.expectedTopic]));
const idOf = (url: string) => /\/samples\/([\w-]+)\.mp3/.exec(url)?.[1] ?? '';
const BIN = new URL('../bin/mediatag.js', import.meta.url).pathname;
const DEFAULT_MODEL = parseEnv(cliEnvSchema, {}).LLM_MODEL;
const REDIS_URL_OF = (harness: Harness) => harness.env.REDIS_URL as string;

// Batched tagging as users run it: several files per gateway request.
const BATCHED = { TAG_BATCH_SIZE: '10', TAG_BATCH_WAIT_MS: '300' };

let h: Harness | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  await h?.close();
  h = undefined;
});

async function results(harness: Harness) {
  const { rows } = await harness.db.pool.query(
    `SELECT f.url, f.batch, f.topic, f.tag_status, r.batch_size, r.request_id, r.input_tokens, r.solo, r.attempts
       FROM tagged_files f JOIN tag_results r ON r.media_file_id = f.media_file_id AND r.taxonomy_id = f.taxonomy_id`,
  );
  return rows as {
    url: string;
    batch: string;
    topic: string | null;
    tag_status: string;
    batch_size: number | null;
    request_id: string | null;
    input_tokens: number | null;
    solo: boolean;
    attempts: number;
  }[];
}

/** Every file tagged with its own sample's topic: a file never gets another file's answer. */
function expectRightTopics(rows: Awaited<ReturnType<typeof results>>) {
  for (const row of rows)
    expect(row, row.url).toMatchObject({ tag_status: 'tagged', topic: expected.get(idOf(row.url)) });
}

describe('batched tagging end to end (real Postgres and Redis, emulator as AssemblyAI)', () => {
  it('tags 200 files of two tag lists in about a tenth of the requests, each with its own topic', async () => {
    h = await startHarness({ env: BATCHED, emulator: { faults: { batchItemFaultRate: 0 } } });
    const media = sampleCopies(h.emulator.url, mediaIds, 5).slice(0, 140);
    const calls = sampleCopies(h.emulator.url, callIds, 6).slice(0, 60);
    await h.cli(['enqueue', '-', '--batch', 'media'], media.join('\n'));
    await h.cli(['enqueue', '-', '--batch', 'calls', '--taxonomy', 'support-calls'], calls.join('\n'));
    await h.startWorkers();
    await h.waitFinal('media');
    await h.waitFinal('calls');
    const rows = await results(h);
    expect(rows).toHaveLength(200);
    expectRightTopics(rows);
    const stats = h.emulator.stats();
    expect(stats.submissions).toBe(200);
    // Batches fill while transcripts complete; never one request per file.
    expect(stats.gatewayCalls).toBeLessThanOrEqual(60);
    expect(stats.gatewayBatchedItems).toBe(200);
    // What an auditor needs per file: the request it came in, its size, its share of tokens.
    for (const row of rows) {
      expect(row.request_id).toBeTruthy();
      expect(row.batch_size).toBeGreaterThanOrEqual(1);
      expect(row.input_tokens).toBeGreaterThan(0);
    }
    const apportioned = rows.reduce((sum, r) => sum + (r.input_tokens ?? 0), 0);
    expect(Math.abs(apportioned - stats.gatewayInputTokens)).toBeLessThanOrEqual(rows.length);
    const { rows: texts } = await h.db.pool.query(
      'SELECT count(*)::int AS n, count(full_text)::int AS full FROM transcript_texts',
    );
    expect(texts[0]).toEqual({ n: 200, full: 0 });
  }, 180_000);

  it('asks alone for every file whose batched item was missing, repeated, unknown or off the list', async () => {
    h = await startHarness({ env: BATCHED, emulator: { faults: { batchItemFaultRate: 0.35 } } });
    const urls = sampleCopies(h.emulator.url, [...mediaIds.slice(0, 20), ...callIds], 3);
    await h.cli(
      ['enqueue', '-', '--batch', 'faulty'],
      urls.filter((u) => mediaIds.includes(idOf(u))).join('\n'),
    );
    await h.cli(
      ['enqueue', '-', '--batch', 'faulty-calls', '--taxonomy', 'support-calls'],
      urls.filter((u) => callIds.includes(idOf(u))).join('\n'),
    );
    await h.startWorkers();
    await h.waitFinal('faulty');
    await h.waitFinal('faulty-calls');
    const rows = await results(h);
    expectRightTopics(rows);
    const stats = h.emulator.stats();
    const faulted = Object.values(stats.batchItemFaults).reduce((a, b) => a + b, 0);
    expect(faulted).toBeGreaterThan(5);
    // The files asked alone are those whose item failed (solo): one single-file request each.
    const alone = rows.filter((r) => r.solo);
    expect(alone.length).toBeGreaterThan(0);
    expect(stats.gatewayCalls - stats.gatewayBatchedCalls).toBe(alone.length);
  }, 180_000);

  it('keeps the full text searchable in plain SQL with STORE_TRANSCRIPTS=full, nothing with none', async () => {
    h = await startHarness({ env: { ...BATCHED, STORE_TRANSCRIPTS: 'full' } });
    const urls = sampleCopies(h.emulator.url, callIds, 1);
    await h.cli(['enqueue', '-', '--batch', 'calls', '--taxonomy', 'support-calls'], urls.join('\n'));
    await h.startWorkers();
    await h.waitFinal('calls');
    // The query the README documents.
    const { rows } = await h.db.pool.query(
      `SELECT f.url, f.topic FROM tagged_files f JOIN transcript_texts t USING (media_file_id)
        WHERE f.batch = 'calls' AND t.search @@ websearch_to_tsquery('english', 'refund')`,
    );
    const withRefund = SAMPLES.filter((s) => s.taxonomy === 'support-calls' && /\brefund/i.test(s.text));
    expect(withRefund.length).toBeGreaterThan(0);
    expect(rows.map((r) => idOf(r.url)).sort()).toEqual(withRefund.map((s) => s.id).sort());
    const { rows: plan } = await h.db.pool.query(
      `EXPLAIN SELECT media_file_id FROM transcript_texts WHERE search @@ websearch_to_tsquery('english', 'refund')`,
    );
    expect(JSON.stringify(plan)).toMatch(/transcript_texts_search_idx|Seq Scan/);
  }, 120_000);

  it('with STORE_TRANSCRIPTS=none keeps no text at rest and still tags by excerpt', async () => {
    h = await startHarness({ env: { ...BATCHED, STORE_TRANSCRIPTS: 'none' } });
    const urls = sampleCopies(h.emulator.url, mediaIds, 1);
    await h.cli(['enqueue', '-', '--batch', 'none'], urls.join('\n'));
    await h.startWorkers();
    await h.waitFinal('none');
    expectRightTopics(await results(h));
    const { rows } = await h.db.pool.query('SELECT count(*)::int AS n FROM transcript_texts');
    expect(rows[0].n).toBe(0);
  }, 120_000);

  it('a tag worker killed mid-batch loses no file and re-asks at most that one batch', async () => {
    h = await startHarness({ env: BATCHED, emulator: { faults: { batchItemFaultRate: 0 } } });
    const urls = sampleCopies(h.emulator.url, mediaIds, 2);
    await h.cli(['enqueue', '-', '--batch', 'killed'], urls.join('\n'));
    // Transcribe everything first, in this process, with no tagger running.
    const transcriber = await h.startWorkers({ role: 'transcribe' });
    const deadline = Date.now() + 60_000;
    while ((await h.progress('killed')).tagging < urls.length) {
      if (Date.now() > deadline) throw new Error('transcription did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    await transcriber.close(2000);
    // Gateway answers take 1.5 s: the tagger is killed while its first request is in flight
    // (the gateway still answers, and bills, a request whose client went away).
    h.emulator.setFaults({ slowRate: 1, slowMs: 1500 });
    // One gateway request a minute for this tagger: exactly one batch is in flight when it dies.
    const tagger = spawnTagger(h, { LLM_RATE_LIMIT: '1/60' });
    await waitUntil(h, `SELECT 1 FROM tag_results WHERE lease_until IS NOT NULL AND status = 'pending'`);
    // The batched request has reached the gateway, which holds it for 1.5 s.
    await expect.poll(() => h?.emulator.stats().faultsInjected.slow, { timeout: 30_000 }).toBe(1);
    tagger.kill('SIGKILL');
    await new Promise((r) => tagger.once('exit', r));
    h.emulator.setFaults({ slowRate: 0 });
    const { rows: leased } = await h.db.pool.query(
      `SELECT count(*)::int AS n FROM tag_results WHERE lease_until IS NOT NULL AND status = 'pending'`,
    );
    const reasked = leased[0].n as number;
    expect(reasked).toBeGreaterThan(0);
    expect(reasked).toBeLessThanOrEqual(10);
    const before = h.emulator.stats().gatewayBatchedItems;
    // The killed tagger's one-a-minute budget window has passed (as it would for real).
    const redis = createRedis(REDIS_URL_OF(h), 'producer');
    // …so its budget key and the tag queue's pause (BullMQ's limiter key) are gone.
    await redis.del(redisKeys(h.prefix).llmRate(DEFAULT_MODEL), redisKeys(h.prefix).limiter('tag'));
    redis.disconnect();
    spawnTagger(h);
    const p = await h.waitFinal('killed', 90_000);
    expect(p).toMatchObject({ total: urls.length, tagged: urls.length, failed: 0 });
    expectRightTopics(await results(h));
    // Items asked for: every file once, plus at most the one batch that was in flight (whether
    // or not the gateway went on to answer the request whose client was killed).
    expect(h.emulator.stats().gatewayBatchedItems).toBeLessThanOrEqual(urls.length + reasked);
    expect(before).toBeLessThanOrEqual(reasked);
    const { rows: counts } = await h.db.pool.query('SELECT count(*)::int AS n FROM tag_results');
    expect(counts[0].n).toBe(urls.length);
  }, 180_000);

  it('Redis flushed mid-run loses nothing with batched tagging', async () => {
    h = await startHarness({ env: BATCHED, emulator: { timeScale: 20 } });
    const urls = sampleCopies(h.emulator.url, [...mediaIds], 4);
    await h.cli(['enqueue', '-', '--batch', 'flushed'], urls.join('\n'));
    await h.startWorkers();
    await waitUntil(h, `SELECT 1 FROM tag_results WHERE status = 'tagged' LIMIT 1`);
    expect(await h.flushRedis()).toBeGreaterThan(0);
    const p = await h.waitFinal('flushed', 120_000);
    expect(p).toMatchObject({ total: urls.length, tagged: urls.length, failed: 0 });
    expectRightTopics(await results(h));
    expect(h.emulator.stats().submissionsByAudioUrl.duplicates).toEqual({});
  }, 180_000);
});

function spawnTagger(harness: Harness, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'worker', 'tag', '--concurrency', '10'], {
    env: { ...process.env, ...harness.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function waitUntil(harness: Harness, sql: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await harness.db.pool.query(sql)).rows.length === 0) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${sql}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
