import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FatalError } from '@mediatag/errors';
import pg from 'pg';
import { connectionError } from './connection.ts';

/**
 * The nearest `migrations/` folder (holding 0001_init.sql) above `from`. The same code runs
 * from packages/db/src, from the CLI's bundle in apps/cli/dist and from an installed package's
 * dist/, each at a different depth below its migrations. Without one, `from`/migrations, so
 * the error names a path instead of the import failing.
 */
export function findMigrationsDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, '0001_init.sql'))) return candidate;
    if (dirname(dir) === dir) return join(from, 'migrations');
  }
}

/** The `migrations/` folder this code ships with. */
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(dirname(fileURLToPath(import.meta.url)));

/** One numbered SQL file. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
  checksum: string;
}

/** What `migrate` did. */
export interface MigrateResult {
  createdDatabase: boolean;
  applied: string[];
  alreadyApplied: number;
}

// Any constant works; it only has to be the same for every mediatag process.
const MIGRATION_LOCK_KEY = 7_305_417_221;

/** Reads `NNNN_name.sql` files in order; numbers must be unique. */
export async function loadMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(file);
    if (!match) throw new FatalError(`migration file ${file} is not named NNNN_name.sql`);
    const id = Number(match[1]);
    if (migrations.some((m) => m.id === id)) throw new FatalError(`two migrations are numbered ${id}`);
    const sql = await readFile(join(dir, file), 'utf8');
    migrations.push({ id, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

/** Creates the database named in `url` when it does not exist (CREATE DATABASE cannot run in a transaction). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) throw new FatalError('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw connectionError(admin.toString(), error);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return true;
    } catch (error) {
      // Another `migrate` created it between our check and our CREATE: that is success.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations in one transaction under an advisory lock, so concurrent runs
 * serialise and the loser finds nothing to do. Refuses to run when an applied file changed.
 */
export async function migrate(url: string, dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = await loadMigrations(dir);
  const createdDatabase = await ensureDatabase(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw connectionError(url, error);
  }
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS mediatag_migrations (
      id integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ id: number; name: string; checksum: string }>(
      'SELECT id, name, checksum FROM mediatag_migrations ORDER BY id',
    );
    for (const row of rows) {
      const file = migrations.find((m) => m.id === row.id);
      if (!file) throw new FatalError(`applied migration ${row.name} is missing from ${dir}`);
      if (file.checksum !== row.checksum) {
        throw new FatalError(
          `migration ${row.name} changed after it was applied (checksum mismatch); add a new migration instead of editing it`,
        );
      }
    }
    const appliedIds = new Set(rows.map((r) => r.id));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (appliedIds.has(migration.id)) continue;
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new FatalError(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      await client.query('INSERT INTO mediatag_migrations (id, name, checksum) VALUES ($1, $2, $3)', [
        migration.id,
        migration.name,
        migration.checksum,
      ]);
      applied.push(migration.name);
    }
    await client.query('COMMIT');
    return { createdDatabase, applied, alreadyApplied: rows.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
