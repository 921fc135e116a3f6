import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, migrate } from './migrate.ts';
import { dropDatabase, TEST_SERVER_URL } from './testing.ts';

const name = `mt_test_ledger_${Math.random().toString(36).slice(2, 10)}`;
const url = `${TEST_SERVER_URL}/${name}`;
let dir: string | undefined;

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await dropDatabase(name);
});

describe('0007_cost_ledger backfill', () => {
  it('charges what was recorded before the ledger once, to the batch that caused it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mt-ledger-'));
    // A database as it was before the ledger: migrations up to 0004 only.
    for (const file of await readdir(DEFAULT_MIGRATIONS_DIR))
      if (file.endsWith('.sql') && file < '0005')
        await cp(join(DEFAULT_MIGRATIONS_DIR, file), join(dir, file));
    await migrate(url, dir);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const q = async (text: string) => (await client.query(text)).rows;
      await q(`
        INSERT INTO batches (name, taxonomy_id, created_at) VALUES
          ('a', (SELECT id FROM taxonomies WHERE name = 'media'), now() - interval '2 days'),
          ('b', (SELECT id FROM taxonomies WHERE name = 'media'), now() - interval '1 day');
        INSERT INTO media_files (url, transcript_id, transcript_status, audio_duration_s, cost_usd, completed_at) VALUES
          ('https://x/shared.mp3', 't1', 'completed', 600, 0.035, now()),
          ('https://x/b-only.mp3', 't2', 'completed', 1200, 0.07, now()),
          ('https://x/failed.mp3', 't3', 'error', NULL, NULL, NULL);
        INSERT INTO batch_files (batch_id, media_file_id, created_at)
          SELECT (SELECT id FROM batches WHERE name = 'a'), id, now() - interval '2 days' FROM media_files WHERE url = 'https://x/shared.mp3';
        INSERT INTO batch_files (batch_id, media_file_id, created_at)
          SELECT (SELECT id FROM batches WHERE name = 'b'), id, now() - interval '1 day' FROM media_files;
        -- Both files tagged with media, then batch a retagged to support-calls.
        INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, input_tokens, output_tokens, cost_usd)
          SELECT m.id, t.id, 'tagged', 'Sports', 1000, 10, 0.00315 FROM media_files m, taxonomies t
           WHERE m.transcript_status = 'completed' AND t.name = 'media';
        UPDATE batches SET taxonomy_id = (SELECT id FROM taxonomies WHERE name = 'support-calls') WHERE name = 'a';
        INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, input_tokens, output_tokens, cost_usd)
          SELECT m.id, t.id, 'tagged', 'Account Issues', 2000, 20, 0.0063 FROM media_files m, taxonomies t
           WHERE m.url = 'https://x/shared.mp3' AND t.name = 'support-calls';`);
      // What the old view said: the shared transcription in both batches, a's media spend gone.
      expect(
        await q('SELECT batch, transcription_cost_usd, llm_cost_usd FROM batch_costs ORDER BY batch'),
      ).toEqual([
        { batch: 'a', transcription_cost_usd: '0.0350', llm_cost_usd: '0.0063' },
        { batch: 'b', transcription_cost_usd: '0.1050', llm_cost_usd: '0.0063' },
      ]);

      await cp(join(DEFAULT_MIGRATIONS_DIR, '0007_cost_ledger.sql'), join(dir, '0007_cost_ledger.sql'));
      expect((await migrate(url, dir)).applied).toEqual(['0007_cost_ledger.sql']);
      expect(
        await q(`SELECT batch, files, audio_hours, llm_input_tokens, transcription_cost_usd, llm_cost_usd,
                        total_cost_usd, reused_files, transcriptions FROM batch_costs ORDER BY batch`),
      ).toEqual([
        // a submitted the shared file; its media tags were asked for b (a had moved on), its
        // support-calls tags for a.
        {
          batch: 'a',
          files: '1',
          audio_hours: '0.167',
          llm_input_tokens: '2000',
          transcription_cost_usd: '0.0350',
          llm_cost_usd: '0.0063',
          total_cost_usd: '0.0413',
          reused_files: '0',
          transcriptions: '1',
        },
        {
          batch: 'b',
          files: '3',
          audio_hours: '0.333',
          llm_input_tokens: '2000',
          transcription_cost_usd: '0.0700',
          llm_cost_usd: '0.0063',
          total_cost_usd: '0.0763',
          reused_files: '1',
          transcriptions: '1',
        },
      ]);
      // Every dollar recorded before, once: 0.035 + 0.07 + 2 x 0.00315 + 0.0063.
      expect(await q('SELECT transcriptions, total_cost_usd, llm_input_tokens FROM cost_summary')).toEqual([
        { transcriptions: '2', total_cost_usd: '0.1176', llm_input_tokens: '4000' },
      ]);
      expect(await q('SELECT count(*)::int AS n FROM cost_ledger WHERE NOT backfilled')).toEqual([{ n: 0 }]);
      // The new error kind is accepted.
      await q(`UPDATE media_files SET error_kind = 'gone' WHERE transcript_id = 't3'`);
    } finally {
      await client.end();
    }
  });
});
