// Transcription options per batch, end to end: CLI → Postgres → transcribe worker → emulator,
// against real Postgres and Redis.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLES } from '@mediatag/emulator/samples';
import { createRedis } from '@mediatag/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

// Support calls in which the agent says her name ("my name is Priya") and the caller theirs.
const priya = SAMPLES.find((s) => s.text.includes('my name is Priya'));
const lee = SAMPLES.find((s) => s.text.includes('my name is Lee'));
if (!priya || !lee) throw new Error('support-call samples with names missing');

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function optionsFile(name: string, body: unknown): Promise<string> {
  const path = join(tmpdir(), `mediatag-${process.pid}-${name}.json`);
  await writeFile(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

describe('transcription options per batch', () => {
  it('sends exactly the batch options, keeps a redacted excerpt, shows them in status', async () => {
    h = await startHarness();
    const calls = [priya, lee].map((s) => `${h?.emulator.url}/samples/${s.id}.mp3`);
    const enqueue = await h.cli([
      'enqueue',
      ...calls,
      '--batch',
      'calls',
      '--taxonomy',
      'support-calls',
      '--redact-pii',
      'credit_card_number,person_name',
      '--speaker-labels',
    ]);
    expect(enqueue.code, enqueue.stderr).toBe(0);
    expect(enqueue.stdout).toContain('options: redact_pii (credit_card_number, person_name), speaker_labels');
    await h.startWorkers();
    await h.waitFinal('calls');

    const bodies = h.emulator.receivedSubmissions();
    expect(bodies.map((b) => b.audio_url).sort()).toEqual([...calls].sort());
    for (const body of bodies) {
      expect(body).toEqual({
        audio_url: body.audio_url,
        speech_models: ['universal-3-pro'],
        speaker_labels: true,
        redact_pii: true,
        redact_pii_policies: ['credit_card_number', 'person_name'],
      });
    }
    const { rows } = await h.db.pool.query(
      `SELECT m.url, t.excerpt FROM transcript_texts t JOIN media_files m ON m.id = t.media_file_id ORDER BY m.url`,
    );
    expect(rows).toHaveLength(2);
    const excerpt = (url: string | undefined) => rows.find((r) => r.url === url)?.excerpt as string;
    expect(excerpt(calls[0])).toContain('my name is #####,');
    expect(excerpt(calls[1])).toContain('my name is ###.');
    for (const r of rows) {
      for (const name of ['Priya', 'Lee']) expect(r.excerpt).not.toMatch(new RegExp(`\\b${name}\\b`));
    }

    const status = await h.cli(['status', '--batch', 'calls']);
    expect(status.stdout).toContain(
      '  options: redact_pii (credit_card_number, person_name), speaker_labels\n',
    );
    const json = JSON.parse((await h.cli(['status', '--batch', 'calls', '--json'])).stdout);
    expect(json).toMatchObject({
      batch: 'calls',
      transcriptionOptions: {
        redact_pii: true,
        redact_pii_policies: ['credit_card_number', 'person_name'],
        speaker_labels: true,
      },
      filesUnderOtherOptions: 0,
    });

    // Re-enqueueing: other options are refused (and say where to look); the same or none are fine.
    const other = await h.cli(['enqueue', calls[0] as string, '--batch', 'calls', '--multichannel']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('batch "calls" has other transcription options');
    expect(other.stderr).toContain('mediatag status --batch calls');
    const same = await h.cli([
      'enqueue',
      calls[0] as string,
      '--batch',
      'calls',
      '--speaker-labels',
      '--redact-pii',
      'credit_card_number,person_name',
    ]);
    expect(same.code, same.stderr).toBe(0);
    expect((await h.cli(['enqueue', calls[0] as string, '--batch', 'calls'])).code).toBe(0);

    // A batch without options that shares a file keeps the transcript made under `calls`.
    const plain = await h.cli([
      'enqueue',
      calls[1] as string,
      '--batch',
      'plain',
      '--taxonomy',
      'support-calls',
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    await h.waitFinal('plain');
    expect(h.emulator.receivedSubmissions()).toHaveLength(2);
    const plainStatus = await h.cli(['status', '--batch', 'plain']);
    expect(plainStatus.stdout).toContain('  options: none\n');
    expect(plainStatus.stdout).toContain("1 file is transcribed under another batch's options");
    expect(JSON.parse((await h.cli(['status', '--batch', 'plain', '--json'])).stdout)).toMatchObject({
      transcriptionOptions: null,
      filesUnderOtherOptions: 1,
    });

    // speech_models in the options wins over SPEECH_MODELS for that batch; language flags.
    const file = await optionsFile('models', { speech_models: ['universal-2'], multichannel: true });
    const es = `${h.emulator.url}/samples/${priya.id}.mp3?copy=es`;
    const spanish = await h.cli([
      'enqueue',
      es,
      '--batch',
      'es',
      '--transcription-options',
      file,
      '--language',
      'es',
    ]);
    expect(spanish.code, spanish.stderr).toBe(0);
    await h.waitFinal('es');
    expect(h.emulator.receivedSubmissions().find((b) => b.audio_url === es)).toEqual({
      audio_url: es,
      speech_models: ['universal-2'],
      multichannel: true,
      language_code: 'es',
    });
    const { rows: lang } = await h.db.pool.query('SELECT language_code FROM media_files WHERE url = $1', [
      es,
    ]);
    expect(lang[0].language_code).toBe('es');
  });

  it('refuses a bad options file naming the field, exit 2, writing nothing to Postgres or Redis', async () => {
    h = await startHarness();
    const url = `${h.emulator.url}/samples/${priya.id}.mp3`;
    const cases: [unknown, RegExp][] = [
      [{ speaker_label: true }, /speaker_label: is not a field of the transcript request/],
      [{ speaker_labels: 'yes' }, /speaker_labels: must be boolean/],
      [{ redact_pii: true, redact_pii_policies: ['pin_code'] }, /redact_pii_policies\/0: must be one of/],
      [{ webhook_url: 'https://evil.example/hook' }, /webhook_url: cannot be set .*WEBHOOK_BASE_URL/],
      [{ audio_url: 'https://x.example/a.mp3' }, /audio_url: cannot be set/],
      [{ speech_model: 'best' }, /speech_model: cannot be set .*use speech_models/],
      [
        { redact_pii_policies: ['person_name'] },
        /redact_pii_policies: has no effect without "redact_pii": true/,
      ],
      [['speaker_labels'], /must be a JSON object/],
      ['{"speaker_labels": tru', /not valid JSON/],
    ];
    for (const [i, [body, message]] of cases.entries()) {
      const file = await optionsFile(`bad-${i}`, body);
      const run = await h.cli(['enqueue', url, '--batch', `bad-${i}`, '--transcription-options', file]);
      expect(run.code, JSON.stringify(body)).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    const flags = await h.cli([
      'enqueue',
      url,
      '--batch',
      'bad-flag',
      '--redact-pii',
      'credit_card,person_name',
    ]);
    expect(flags.code).toBe(2);
    expect(flags.stderr).toMatch(/redact_pii_policies\/0: must be one of/);

    const { rows } = await h.db.pool.query(
      `SELECT (SELECT count(*) FROM batches)::int AS batches, (SELECT count(*) FROM batch_files)::int AS listed,
              (SELECT count(*) FROM media_files)::int AS files`,
    );
    expect(rows[0]).toEqual({ batches: 0, listed: 0, files: 0 });
    const redis = createRedis(h.env.REDIS_URL as string, 'producer');
    try {
      expect(await redis.keys(`${h.prefix}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    expect(h.emulator.receivedSubmissions()).toEqual([]);
  });
});
