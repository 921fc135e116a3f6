import { randomBytes } from 'node:crypto';
import { dropDatabase, TEST_SERVER_URL } from '@mediatag/db/testing';
import { createRedis } from '@mediatag/queue';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { demoDatabaseUrl } from './commands/demo.ts';
import { deleteKeys } from './harness.ts';
import { runCli } from './testing.ts';

// DATABASE_URL names `name`, standing in for a user's real database; the demo must leave it alone.
const name = `mt_test_demo_${randomBytes(4).toString('hex')}`;
const given = `mt_test_demo_given_${randomBytes(4).toString('hex')}`;
const prefix = `mt-test-demo-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  for (const db of [name, `${name}_demo`, given, `${given}_demo`]) await dropDatabase(db);
  const redis = createRedis('redis://127.0.0.1:6379', 'producer');
  await deleteKeys(redis, `${prefix}*`);
  redis.disconnect();
});

/** Names of the databases on the test server among `names`. */
async function existing(...names: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: `${TEST_SERVER_URL}/postgres` });
  await client.connect();
  try {
    const found = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname',
      [names],
    );
    return found.rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

/** The batch names in one database. */
async function batchesIn(db: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: `${TEST_SERVER_URL}/${db}` });
  await client.connect();
  try {
    return (await client.query<{ name: string }>('SELECT name FROM batches ORDER BY name')).rows.map(
      (r) => r.name,
    );
  } finally {
    await client.end();
  }
}

describe('mediatag demo', () => {
  it('runs the main job in a database of its own, says which, and never touches DATABASE_URL', async () => {
    const run = await runCli(['demo'], { DATABASE_URL: `${TEST_SERVER_URL}/${name}`, QUEUE_PREFIX: prefix });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`demo database: ${TEST_SERVER_URL}/${name}_demo (the demo's own;`);
    expect(run.stdout).toContain(`psql "${TEST_SERVER_URL}/${name}_demo"`);
    expect(run.stdout).toMatch(/^url +topic +transcript_status +tag_status/m);
    expect(run.stdout).toMatch(/\/samples\/sports-01\.mp3 +Sports +completed +tagged/);
    expect(run.stdout).toMatch(
      /\/samples\/billing-and-payments-01\.mp3 +Billing and Payments +completed +tagged/,
    );
    expect(run.stdout).toContain('SELECT batch, topic, count(*) FROM tagged_files');
    expect(run.stdout).toMatch(/emulator: 40 submissions for 40 files/);
    expect(run.stderr).toMatch(/all 30 files final/);
    // The database DATABASE_URL names was not even created; the samples are in <name>_demo.
    expect(await existing(name, `${name}_demo`)).toEqual([`${name}_demo`]);
    const batches = await batchesIn(`${name}_demo`);
    expect(batches).toHaveLength(2);
    expect(batches.every((b) => b.startsWith('demo-'))).toBe(true);
  }, 60_000);

  it('uses the database --database-url names instead, and says so', async () => {
    const run = await runCli(['demo', '--database-url', `${TEST_SERVER_URL}/${given}`, '--time-scale', '5'], {
      DATABASE_URL: `${TEST_SERVER_URL}/${name}`,
      QUEUE_PREFIX: prefix,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`demo database: ${TEST_SERVER_URL}/${given} (given by --database-url)`);
    expect(await existing(given, `${given}_demo`, name)).toEqual([given]);
    expect(await batchesIn(given)).toHaveLength(2);
  }, 60_000);

  it('refuses a --database-url that names no database, before any I/O', async () => {
    const run = await runCli(['demo', '--database-url', 'postgres://127.0.0.1:5432'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--database-url: expected postgres://HOST/NAME');
  });

  it('derives its own database from DATABASE_URL, keeping server and credentials', () => {
    expect(demoDatabaseUrl('postgres://u:p@db.example:6543/mediatag?sslmode=require')).toBe(
      'postgres://u:p@db.example:6543/mediatag_demo?sslmode=require',
    );
  });
});
