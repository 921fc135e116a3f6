// The statements the pipeline runs for every file are named prepared statements: after a few
// runs Postgres may plan them once for any values (a generic plan). A generic plan that reads
// every pending row instead of the one file turns each claim into a scan of the backlog: the
// claim did that on a freshly imported table (no statistics yet), 83 buffers a claim at 2,000
// files and growing with the backlog. These tests read each per-file statement's generic plan
// on such a table and require that it reaches the big tables through the file's key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './index.ts';
import type pg from 'pg';
import { preparedStatements } from './statement.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

/** Statements run once per file or per job of one file (the others run per batch or per sweep). */
const PER_FILE = [
  /^submissions\//,
  /^transcripts\//,
  /^tag_results\//,
  /^transcript_texts\//,
  /^leases\/count_ready$/,
  /^cap_charge\/charge$/,
];

const BIG = ['media_files', 'tag_results', 'batch_files', 'transcript_texts', 'cost_ledger'];

const FILES = 5000;

let t: TestDatabase;
let client: pg.PoolClient;
beforeAll(async () => {
  t = await createTestDatabase();
  // A backlog just imported: rows, no statistics (autovacuum would gather them after a while).
  await t.pool.query(`
    ALTER TABLE media_files SET (autovacuum_enabled = false);
    ALTER TABLE batch_files SET (autovacuum_enabled = false);
    ALTER TABLE tag_results SET (autovacuum_enabled = false);
    ALTER TABLE transcript_texts SET (autovacuum_enabled = false);
    INSERT INTO batches (name, taxonomy_id) SELECT 'plans', id FROM taxonomies WHERE name = 'media';
    INSERT INTO media_files (url) SELECT 'https://media.test/' || g || '.mp3' FROM generate_series(1, ${FILES}) g;
    INSERT INTO batch_files (batch_id, media_file_id) SELECT b.id, m.id FROM batches b, media_files m;
    UPDATE media_files SET transcript_id = 'tr-' || id, transcript_status = 'completed', submitted_at = now(),
      completed_at = now() WHERE id % 2 = 0;
    INSERT INTO tag_results (media_file_id, taxonomy_id)
      SELECT m.id, b.taxonomy_id FROM media_files m JOIN batch_files bf ON bf.media_file_id = m.id
        JOIN batches b ON b.id = bf.batch_id WHERE m.transcript_status = 'completed';
    INSERT INTO transcript_texts (media_file_id, excerpt, excerpt_tokens, full_tokens)
      SELECT id, 'words of file ' || id, 4, 4 FROM media_files WHERE transcript_status = 'completed';
  `);
  client = await t.pool.connect();
  await client.query('SET plan_cache_mode = force_generic_plan');
});
afterAll(async () => {
  client.release();
  await t.drop();
});

/** The generic plan of a statement: EXPLAIN without running it (every value NULL). */
async function genericPlan(text: string): Promise<string> {
  const n = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  await client.query(`PREPARE probe AS ${text}`);
  try {
    const args = n > 0 ? `(${Array(n).fill('NULL').join(', ')})` : '';
    const { rows } = await client.query(`EXPLAIN (COSTS OFF) EXECUTE probe${args}`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.query('DEALLOCATE probe');
  }
}

/**
 * Plan lines that read a big table other than through one file: a sequential scan, or an index
 * scan by status or by "no transcript id yet" (every pending row, as the claim's did).
 */
function wholeTableReads(plan: string): string[] {
  return plan
    .split('\n')
    .map((line) => line.trim().replace(/^->\s+/, ''))
    .filter(
      (line) =>
        BIG.some((table) => new RegExp(`^Seq Scan on ${table}\\b`).test(line)) ||
        /^Bitmap Index Scan on media_files_unfinished_idx\b/.test(line) ||
        /^Index Cond: \(transcript_id IS NULL\)/.test(line),
    );
}

describe('per-file statements, generic plans on a freshly imported backlog', () => {
  const names = [...preparedStatements.keys()].filter((name) => PER_FILE.some((re) => re.test(name)));

  it('covers the pipeline statements', () => {
    expect(names).toEqual(
      expect.arrayContaining(['submissions/claim', 'submissions/save_transcript_id', 'transcripts/complete']),
    );
  });

  it.each(names)('%s reaches the big tables through the file, never by a scan', async (name) => {
    const statement = preparedStatements.get(name);
    if (!statement) throw new Error(`no statement ${name}`);
    const plan = await genericPlan(statement.text);
    expect(wholeTableReads(plan), plan).toEqual([]);
  });
});
