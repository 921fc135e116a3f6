// Money that adds up, and transcripts AssemblyAI no longer has, end to end: real Postgres and
// Redis, the emulator as AssemblyAI (its stats are what the account was charged).
import { PassThrough, Readable } from 'node:stream';
import { cliEnvSchema, parseEnv } from '@mediatag/config';
import { SAMPLES } from '@mediatag/emulator/samples';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';
import { main } from './main.ts';

const mediaIds = SAMPLES.filter((s) => s.taxonomy === 'media').map((s) => s.id);
const PRICES = parseEnv(cliEnvSchema, {});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function sql(harness: Harness, text: string, params: unknown[] = []) {
  return (await harness.db.pool.query(text, params)).rows;
}

async function costs(harness: Harness) {
  const rows = await sql(harness, 'SELECT * FROM batch_costs ORDER BY batch');
  return new Map(rows.map((r) => [r.batch as string, r]));
}

/**
 * The ledger against what the emulator billed: audio seconds and gateway tokens, exactly.
 * `unread`: audio of transcripts billed but deleted before anyone read their duration.
 */
async function expectLedgerMatchesAccount(harness: Harness, unread = 0) {
  const stats = { ...harness.emulator.stats() };
  stats.billedAudioSeconds -= unread;
  const [l] = await sql(
    harness,
    `SELECT coalesce(sum(audio_seconds), 0)::int AS audio, coalesce(sum(input_tokens), 0)::int AS input,
            coalesce(sum(output_tokens), 0)::int AS output, coalesce(sum(cost_usd), 0)::float8 AS cost
       FROM cost_ledger`,
  );
  expect(l.audio).toBe(stats.billedAudioSeconds);
  expect(l.input).toBe(stats.gatewayInputTokens);
  expect(l.output).toBe(stats.gatewayOutputTokens);
  const charged =
    (stats.billedAudioSeconds / 3600) * PRICES.PRICE_PER_AUDIO_HOUR +
    (stats.gatewayInputTokens * PRICES.LLM_PRICE_INPUT_PER_MTOK +
      stats.gatewayOutputTokens * PRICES.LLM_PRICE_OUTPUT_PER_MTOK) /
      1e6;
  // Each row is stored to the micro-dollar.
  expect(Math.abs(l.cost - charged)).toBeLessThan(1e-4);
  // The summary and the batches add up to the same total (each rounded to 4 places).
  const [summary] = await sql(harness, 'SELECT total_cost_usd::float8 AS total FROM cost_summary');
  const [batches] = await sql(
    harness,
    'SELECT sum(total_cost_usd)::float8 AS total, count(*)::int AS n FROM batch_costs',
  );
  expect(Math.abs(summary.total - charged)).toBeLessThan(1e-4);
  expect(Math.abs(batches.total - charged)).toBeLessThanOrEqual(1e-4 * batches.n);
}

/** Deletes a transcript at the emulator, as an account (or a retention policy) would. */
async function deleteTranscript(harness: Harness, id: string) {
  const res = await fetch(`${harness.emulator.url}/v2/transcript/${id}`, {
    method: 'DELETE',
    headers: { authorization: harness.env.ASSEMBLYAI_API_KEY as string },
  });
  expect(res.status).toBe(200);
}

/** Runs the CLI with stdin a terminal that answers `answer`. */
async function onTerminal(harness: Harness, argv: string[], answer: string) {
  const stdin = Object.assign(Readable.from([answer]), { isTTY: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(argv, { ...harness.env, LOG_LEVEL: 'silent' }, { stdin, stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('the cost ledger', () => {
  it('charges a shared transcription once, to the batch that submitted it; a retag adds to the total', async () => {
    h = await startHarness({
      env: { TAG_BATCH_SIZE: '10', TAG_BATCH_WAIT_MS: '300' },
      emulator: { faults: { batchItemFaultRate: 0 } },
    });
    const urls = sampleCopies(h.emulator.url, mediaIds, 1).slice(0, 12);
    await h.cli(['enqueue', '-', '--batch', 'first'], urls.slice(0, 8).join('\n'));
    await h.startWorkers();
    await h.waitFinal('first');
    // Four of its files again, and four new ones.
    await h.cli(['enqueue', '-', '--batch', 'second'], urls.slice(4, 12).join('\n'));
    await h.waitFinal('second');
    expect(h.emulator.stats().submissions).toBe(12);
    const before = await costs(h);
    expect(before.get('first')).toMatchObject({ files: '8', transcriptions: '8', reused_files: '0' });
    expect(before.get('second')).toMatchObject({ files: '8', transcriptions: '4', reused_files: '4' });
    await expectLedgerMatchesAccount(h);

    const retag = await h.cli(['retag', '--batch', 'first', '--taxonomy', 'support-calls']);
    expect(retag.code).toBe(0);
    await h.waitFinal('first');
    const after = await costs(h);
    const first = { was: before.get('first'), now: after.get('first') };
    // The media answers stay paid for; the support-calls answers are added.
    expect(Number(first.now?.llm_cost_usd)).toBeGreaterThan(Number(first.was?.llm_cost_usd));
    expect(Number(first.now?.llm_input_tokens)).toBeGreaterThan(Number(first.was?.llm_input_tokens));
    expect(first.now?.transcription_cost_usd).toBe(first.was?.transcription_cost_usd);
    expect(after.get('second')).toEqual(before.get('second'));
    await expectLedgerMatchesAccount(h);
    const [{ n }] = await sql(h, `SELECT count(*)::int AS n FROM cost_ledger WHERE kind = 'transcription'`);
    expect(n).toBe(12);
  }, 180_000);
});

describe('transcripts that are gone from AssemblyAI', () => {
  it('retag tags a gone transcript from its stored excerpt, and says so when there is none', async () => {
    h = await startHarness();
    const urls = sampleCopies(h.emulator.url, mediaIds.slice(0, 3), 1);
    await h.cli(['enqueue', '-', '--batch', 'kept'], urls.join('\n'));
    await h.startWorkers();
    await h.waitFinal('kept');
    const files = await sql(h, 'SELECT id, url, transcript_id FROM media_files ORDER BY id');
    const [withExcerpt, without, intact] = files;
    await deleteTranscript(h, withExcerpt.transcript_id);
    await deleteTranscript(h, without.transcript_id);
    await sql(h, 'DELETE FROM transcript_texts WHERE media_file_id = $1', [without.id]);

    expect((await h.cli(['retag', '--batch', 'kept', '--taxonomy', 'support-calls'])).code).toBe(0);
    await h.waitFinal('kept');
    const state = async () =>
      new Map(
        (
          await sql(
            h as Harness,
            `SELECT f.media_file_id AS id, f.tag_status, f.error, m.error_kind, m.transcript_status
               FROM tagged_files f JOIN media_files m ON m.id = f.media_file_id`,
          )
        ).map((r) => [r.id, r]),
      );
    let s = await state();
    // TAG_BATCH_SIZE=1: the gateway could not resolve the id; the excerpt was pasted instead.
    expect(s.get(withExcerpt.id)).toMatchObject({
      tag_status: 'tagged',
      error_kind: 'gone',
      transcript_status: 'completed',
    });
    expect(s.get(intact.id)).toMatchObject({ tag_status: 'tagged', error_kind: null });
    expect(s.get(without.id)).toMatchObject({ tag_status: 'error', error_kind: 'gone' });
    expect(s.get(without.id)?.error).toMatch(
      /gone from AssemblyAI \(.*not found.*\) and no excerpt of it is stored.*--resubmit/,
    );
    await expectLedgerMatchesAccount(h);

    // Now known to be gone: the next retag says which are tagged from excerpts and which cannot be.
    const again = await h.cli(['retag', '--batch', 'kept', '--taxonomy', 'media']);
    expect(again.stdout).toContain('0 transcripts queued');
    const third = await h.cli(['retag', '--batch', 'kept', '--taxonomy', 'support-calls']);
    expect(third.stdout).toContain(
      '1 transcripts are gone from AssemblyAI (deleted) and have no stored excerpt',
    );
    s = await state();
    expect(s.get(withExcerpt.id)?.tag_status).toBe('tagged');
  }, 120_000);

  it('a transcript gone before it was read is its own kind: retry says so, --resubmit asks, then buys it again', async () => {
    // 1 s of real time per emulated second: a transcript takes seconds, so the workers can be
    // stopped after the submission and before the completion is read.
    h = await startHarness({ emulator: { timeScale: 1000 } });
    const urls = sampleCopies(h.emulator.url, mediaIds.slice(0, 2), 1);
    await h.cli(['enqueue', '-', '--batch', 'gone'], urls.join('\n'));
    const workers = await h.startWorkers();
    const submitted = async () =>
      sql(
        h as Harness,
        `SELECT id, transcript_id FROM media_files WHERE transcript_id IS NOT NULL ORDER BY id`,
      );
    while ((await submitted()).length < 2) await new Promise((r) => setTimeout(r, 20));
    await workers.close(5000);
    const [victim] = await submitted();
    // Wait for AssemblyAI to finish it, then delete it before we ever read it.
    for (;;) {
      const res = await fetch(`${h.emulator.url}/v2/transcript/${victim.transcript_id}`, {
        headers: { authorization: h.env.ASSEMBLYAI_API_KEY as string },
      });
      if (((await res.json()) as { status: string }).status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await deleteTranscript(h, victim.transcript_id);
    h.emulator.configure({ timeScale: 2 });
    await h.startWorkers();
    await h.waitFinal('gone');
    const [file] = await sql(
      h,
      'SELECT transcript_status, error_kind, error FROM media_files WHERE id = $1',
      [victim.id],
    );
    expect(file).toMatchObject({ transcript_status: 'error', error_kind: 'gone' });
    expect(file.error).toMatch(/transcript id not found/);

    // Plain retry does not poll it again (it would fail the same way) and says how to resubmit.
    const retry = await h.cli(['retry', '--batch', 'gone']);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('0 files to transcribe again, 0 saved transcripts to check again');
    expect(retry.stdout).toMatch(
      /1 transcripts are gone from AssemblyAI .*mediatag retry --batch gone --resubmit/,
    );

    // --resubmit without a terminal and without --yes: exit 2, nothing changed.
    const refused = await h.cli(['retry', '--batch', 'gone', '--resubmit']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/estimated \$[\d.]+ .*pass --yes/);
    const declined = await onTerminal(h, ['retry', '--batch', 'gone', '--resubmit'], 'n\n');
    expect(declined.code).toBe(1);
    expect(declined.stderr).toMatch(
      /Transcribe again the 1 file, about [\d.]+ h of audio, estimated \$[\d.]+.*\[y\/N\]/,
    );
    expect(declined.stderr).toContain('nothing changed');
    const [still] = await sql(h, 'SELECT transcript_status, error_kind FROM media_files WHERE id = $1', [
      victim.id,
    ]);
    expect(still).toEqual({ transcript_status: 'error', error_kind: 'gone' });
    expect(h.emulator.stats().submissions).toBe(2);

    const yes = await onTerminal(h, ['retry', '--batch', 'gone', '--resubmit'], 'y\n');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/resubmitted 1 file, about [\d.]+ h of audio, estimated \$[\d.]+/);
    const p = await h.waitFinal('gone');
    expect(p).toMatchObject({ total: 2, tagged: 2, failed: 0 });
    const [back] = await sql(
      h,
      'SELECT transcript_id, failed_transcript_ids FROM media_files WHERE id = $1',
      [victim.id],
    );
    expect(back.failed_transcript_ids).toEqual([victim.transcript_id]);
    expect(back.transcript_id).not.toBe(victim.transcript_id);
    expect(h.emulator.stats().submissions).toBe(3);
    // The deleted transcript completed, so the account paid for it, but it was gone before its
    // duration could be read: the one charge the ledger cannot know. Everything else matches.
    const deleted = SAMPLES.find((x) => urls[0]?.includes(`/${x.id}.mp3`));
    expect(victim.id).toBe('1');
    await expectLedgerMatchesAccount(h, deleted?.durationSeconds ?? Number.NaN);
    const [{ n }] = await sql(h, `SELECT count(*)::int AS n FROM cost_ledger WHERE kind = 'transcription'`);
    expect(n).toBe(2);
  }, 120_000);
});
