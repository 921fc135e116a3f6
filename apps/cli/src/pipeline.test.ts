import { SAMPLES } from '@mediatag/emulator/samples';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';

const mediaIds = SAMPLES.filter((s) => s.taxonomy === 'media').map((s) => s.id);
const callIds = SAMPLES.filter((s) => s.taxonomy === 'support-calls').map((s) => s.id);
const expected = new Map(SAMPLES.map((s) => [s.id, s.expectedTopic]));
const idOf = (url: string) => /\/samples\/([\w-]+)\.mp3/.exec(url)?.[1] ?? '';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function rows(harness: Harness, batch: string) {
  const { rows } = await harness.db.pool.query(
    'SELECT url, topic, transcript_status, tag_status, error, raw_answer, transcript_id FROM tagged_files WHERE batch = $1',
    [batch],
  );
  return rows as {
    url: string;
    topic: string | null;
    transcript_status: string;
    tag_status: string;
    error: string | null;
    raw_answer: string | null;
    transcript_id: string | null;
  }[];
}

describe('pipeline end to end (real Postgres and Redis, emulator as AssemblyAI)', () => {
  it('500 files across both presets finish with the right topics and no duplicate submission', async () => {
    h = await startHarness();
    const media = sampleCopies(h.emulator.url, mediaIds, Math.ceil(360 / mediaIds.length)).slice(0, 360);
    const calls = sampleCopies(h.emulator.url, callIds, Math.ceil(140 / callIds.length)).slice(0, 140);
    expect((await h.cli(['enqueue', '-', '--batch', 'media-500'], media.join('\n'))).stdout).toContain(
      'added 360',
    );
    expect(
      (await h.cli(['enqueue', '-', '--batch', 'calls-500', '--taxonomy', 'support-calls'], calls.join('\n')))
        .stdout,
    ).toContain('added 140');
    await h.startWorkers();
    await h.waitFinal('media-500');
    await h.waitFinal('calls-500');
    for (const batch of ['media-500', 'calls-500']) {
      for (const row of await rows(h, batch)) {
        expect(row, row.url).toMatchObject({
          transcript_status: 'completed',
          tag_status: 'tagged',
          topic: expected.get(idOf(row.url)),
        });
      }
    }
    const stats = h.emulator.stats();
    expect(stats.submissions).toBe(500);
    expect(stats.submissionsByAudioUrl.duplicates).toEqual({});
    expect(stats.gatewayCalls).toBe(500);
    const { rows: results } = await h.db.pool.query('SELECT count(*)::int AS n FROM tag_results');
    expect(results[0].n).toBe(500);

    // The same URLs in a new batch reuse transcripts and results: nothing bought again.
    const again = await h.cli(['enqueue', '-', '--batch', 'media-again'], media.slice(0, 50).join('\n'));
    expect(again.stdout).toContain('added 50');
    await h.waitFinal('media-again');
    expect(h.emulator.stats().submissions).toBe(500);
    expect(h.emulator.stats().gatewayCalls).toBe(500);

    // Retag with another list: new LLM calls only, no new transcription.
    const tags = `${h.db.name}-tags.json`;
    const { writeFile, rm } = await import('node:fs/promises');
    const path = `/tmp/${tags}`;
    await writeFile(
      path,
      JSON.stringify({ Money: 'Finance, markets, prices, bills and payments.', Other: 'Anything else.' }),
    );
    expect((await h.cli(['taxonomy', 'add', 'two', path])).code).toBe(0);
    await rm(path);
    const retag = await h.cli(['retag', '--batch', 'calls-500', '--taxonomy', 'two']);
    expect(retag.stdout).toContain('140 transcripts queued for tagging (no new transcription)');
    await h.waitFinal('calls-500');
    const retagged = await rows(h, 'calls-500');
    expect(
      retagged.every((r) => r.tag_status === 'tagged' && ['Money', 'Other'].includes(r.topic ?? '')),
    ).toBe(true);
    expect(h.emulator.stats().submissions).toBe(500);
    expect(h.emulator.stats().gatewayCalls).toBe(640);
  }, 180_000);

  it('keeps at most MAX_IN_FLIGHT at the emulator and its slots busy while work waits', async () => {
    h = await startHarness({
      // 200 real ms per emulated second: a transcript "processes" in about 0.7 s.
      emulator: { concurrency: 20, timeScale: 200, queuedSeconds: 0 },
      env: { MAX_IN_FLIGHT: '20', POLL_MIN_MS: '20', POLL_MAX_MS: '2000' },
    });
    const urls = sampleCopies(h.emulator.url, [...mediaIds, ...callIds], 4);
    await h.cli(['enqueue', '-', '--batch', 'gated'], urls.join('\n'));
    await h.startWorkers();
    await h.waitFinal('gated');
    const stats = h.emulator.stats();
    expect(stats.submissions).toBe(urls.length);
    expect(stats.maxConcurrentProcessing).toBeLessThanOrEqual(20);
    expect(stats.maxOpen).toBeLessThanOrEqual(20);
    // Measured, not timed: reported here and in the README; a sanity floor only.
    console.log(
      `MAX_IN_FLIGHT=20, emulator concurrency 20, ${urls.length} files: slot utilisation ${(stats.utilisation * 100).toFixed(1)}%, ${stats.getsByTranscript.meanPerCompletedTranscript.toFixed(2)} GETs per transcript`,
    );
    expect(stats.utilisation).toBeGreaterThan(0.5);
  }, 180_000);

  it('ends each bad input as documented, with the reason stored, and nothing else stuck', async () => {
    h = await startHarness();
    const good = sampleCopies(h.emulator.url, mediaIds.slice(0, 3), 1);
    const broken = `${h.emulator.url}/broken/episode-1.mp3`;
    await h.cli(['enqueue', '-', '--batch', 'bad'], [...good, broken].join('\n'));
    await h.startWorkers();
    await h.waitFinal('bad');
    const byUrl = new Map((await rows(h, 'bad')).map((r) => [r.url, r]));
    expect(byUrl.get(broken)).toMatchObject({ transcript_status: 'error', tag_status: 'pending' });
    expect(byUrl.get(broken)?.error).toMatch(/download error/i);
    for (const url of good) expect(byUrl.get(url)?.tag_status).toBe('tagged');
    expect((await h.cli(['status', '--batch', 'bad', '--wait', '--interval', '0.05'])).code).toBe(1);

    // retry resubmits a transcript that AssemblyAI finished with error (not billed) and keeps its old id.
    expect((await h.cli(['retry', '--batch', 'bad'])).stdout).toContain('1 files to transcribe again');
    await h.waitFinal('bad');
    const { rows: failed } = await h.db.pool.query(
      'SELECT cardinality(failed_transcript_ids) AS n, transcript_status FROM media_files WHERE url = $1',
      [broken],
    );
    expect(failed[0]).toEqual({ n: 1, transcript_status: 'error' });
    expect(h.emulator.stats().submissions).toBe(5);

    // A garbage answer is stored as unmatched with the raw answer, after one stricter retry.
    h.emulator.setFaults({ garbageAnswerRate: 1 });
    const more = sampleCopies(h.emulator.url, mediaIds.slice(3, 5), 1);
    await h.cli(['enqueue', '-', '--batch', 'garbage'], more.join('\n'));
    await h.waitFinal('garbage');
    for (const row of await rows(h, 'garbage')) {
      expect(row.tag_status).toBe('unmatched');
      expect(row.topic).toBeNull();
      expect(row.raw_answer).toBeTruthy();
      expect(row.error).toMatch(/answer names/);
    }
    h.emulator.setFaults({ garbageAnswerRate: 0 });

    // A burst of 500s, 503s and 429s: every file still finishes, none paid twice.
    h.emulator.setFaults({ http500Rate: 0.15, http503Rate: 0.1 });
    h.emulator.configure({ rateLimit: { requests: 40, windowSeconds: 1 } });
    const burst = sampleCopies(h.emulator.url, callIds, 6);
    await h.cli(['enqueue', '-', '--batch', 'burst', '--taxonomy', 'support-calls'], burst.join('\n'));
    const p = await h.waitFinal('burst', 120_000);
    expect(p).toMatchObject({ total: 60, tagged: 60, failed: 0 });
    const stats = h.emulator.stats();
    expect(stats.rateLimited429s).toBeGreaterThan(0);
    expect(stats.faultsInjected.http500 + stats.faultsInjected.http503).toBeGreaterThan(0);
    expect(stats.submissionsByAudioUrl.duplicates).toEqual({ [broken]: 2 });
  }, 180_000);
});
