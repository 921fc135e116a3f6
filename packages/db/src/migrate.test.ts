import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, migrate } from './migrate.ts';
import { dropDatabase, TEST_SERVER_URL } from './testing.ts';

const created: string[] = [];
function freshName() {
  const name = `mt_test_mig_${Math.random().toString(36).slice(2, 10)}`;
  created.push(name);
  return name;
}

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of created) await dropDatabase(name);
});

describe('migrate', () => {
  it('creates a missing database, applies everything, and does nothing the second time', async () => {
    const url = `${TEST_SERVER_URL}/${freshName()}`;
    const first = await migrate(url);
    expect(first.createdDatabase).toBe(true);
    expect(first.applied).toEqual([
      '0001_init.sql',
      '0002_preset_taxonomies.sql',
      '0003_sources_and_cost.sql',
      '0004_batched_tagging.sql',
      '0005_transcription_options.sql',
      '0006_eval.sql',
      '0007_cost_ledger.sql',
      '0008_spending_cap.sql',
      '0009_sources_s3_feeds.sql',
      '0010_orphan_search.sql',
      '0011_needs_tagging.sql',
      '0012_hot_updates.sql',
    ]);
    const second = await migrate(url);
    expect(second).toEqual({ createdDatabase: false, applied: [], alreadyApplied: 12 });

    expect(await query(url, 'SELECT * FROM tagged_files')).toEqual([]);
    const presets = await query(
      url,
      `SELECT name, version, jsonb_array_length(tags) AS n, tags->0->>'name' AS first, tags->-1->>'name' AS last
       FROM taxonomies ORDER BY name`,
    );
    expect(presets).toEqual([
      { name: 'media', version: 1, n: 15, first: 'Sports', last: 'Culture' },
      { name: 'support-calls', version: 1, n: 5, first: 'Account Issues', last: 'Service Disruption' },
    ]);
    const recorded = await query(
      url,
      'SELECT id, name, length(checksum) AS len FROM mediatag_migrations ORDER BY id',
    );
    expect(recorded).toEqual([
      { id: 1, name: '0001_init.sql', len: 64 },
      { id: 2, name: '0002_preset_taxonomies.sql', len: 64 },
      { id: 3, name: '0003_sources_and_cost.sql', len: 64 },
      { id: 4, name: '0004_batched_tagging.sql', len: 64 },
      { id: 5, name: '0005_transcription_options.sql', len: 64 },
      { id: 6, name: '0006_eval.sql', len: 64 },
      { id: 7, name: '0007_cost_ledger.sql', len: 64 },
      { id: 8, name: '0008_spending_cap.sql', len: 64 },
      { id: 9, name: '0009_sources_s3_feeds.sql', len: 64 },
      { id: 10, name: '0010_orphan_search.sql', len: 64 },
      { id: 11, name: '0011_needs_tagging.sql', len: 64 },
      { id: 12, name: '0012_hot_updates.sql', len: 64 },
    ]);
  });

  it('is safe when several processes migrate the same empty database at once', async () => {
    const url = `${TEST_SERVER_URL}/${freshName()}`;
    const results = await Promise.all([migrate(url), migrate(url), migrate(url), migrate(url)]);
    const appliedBy = results.filter((r) => r.applied.length > 0);
    expect(appliedBy).toHaveLength(1);
    expect(results.filter((r) => r.createdDatabase)).toHaveLength(1);
    const count = await query(url, 'SELECT count(*)::int AS n FROM taxonomies');
    expect(count).toEqual([{ n: 2 }]);
  });

  it('refuses to run when an applied migration file changed, and applies nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mt-migrations-'));
    try {
      await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      const url = `${TEST_SERVER_URL}/${freshName()}`;
      await migrate(url, dir);
      await writeFile(join(dir, '0002_preset_taxonomies.sql'), '-- edited\nSELECT 1;\n');
      await writeFile(join(dir, '0099_more.sql'), '-- 0099\nCREATE TABLE should_not_exist (id int);\n');
      await expect(migrate(url, dir)).rejects.toThrow(
        /0002_preset_taxonomies.sql changed after it was applied/,
      );
      const tables = await query(url, "SELECT to_regclass('should_not_exist') AS t");
      expect(tables).toEqual([{ t: null }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration entirely', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mt-migrations-'));
    try {
      await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
      await writeFile(join(dir, '0099_broken.sql'), '-- 0099\nCREATE TABLE half (id int);\nSELECT nope;\n');
      const url = `${TEST_SERVER_URL}/${freshName()}`;
      await expect(migrate(url, dir)).rejects.toThrow(/0099_broken.sql failed/);
      const rows = await query(
        url,
        "SELECT to_regclass('half') AS half, to_regclass('mediatag_migrations') AS m",
      );
      expect(rows).toEqual([{ half: null, m: null }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives one clear line when the server cannot be reached', async () => {
    await expect(migrate('postgres://postgres@127.0.0.1:1/x')).rejects.toThrow(
      /^cannot connect to Postgres at 127\.0\.0\.1:1\/postgres: connection refused/,
    );
  });
});
