import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from './client.ts';
import { createPool } from './connection.ts';
import { migrate } from './migrate.ts';

export * from './tagging-states.ts';

/** The local test server; tests run against the real Postgres on this machine. */
export const TEST_SERVER_URL = 'postgres://postgres@127.0.0.1:5432';

/** A freshly migrated database of its own for one test file. */
export interface TestDatabase {
  url: string;
  name: string;
  pool: pg.Pool;
  db: Db;
  drop(): Promise<void>;
}

/** Creates `mt_test_<random>` with every migration applied; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `mt_test_${randomBytes(6).toString('hex')}`;
  const url = `${TEST_SERVER_URL}/${name}`;
  await migrate(url);
  const pool = createPool(url, { max: 5 });
  return {
    url,
    name,
    pool,
    db: createDb(pool),
    async drop() {
      await pool.end();
      await dropDatabase(name);
    },
  };
}

/** Drops a database, disconnecting whoever is still on it. */
export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${TEST_SERVER_URL}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
