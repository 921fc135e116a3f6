import { FatalError, toError } from '@mediatag/errors';
import pg from 'pg';

/** The URL with its password masked, safe for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Host:port/db of a Postgres URL, for one-line error messages. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Turns a pg connection failure into one line a user can act on (no stack, no password). */
export function connectionError(url: string, error: unknown): FatalError {
  const e = toError(error) as Error & { code?: string };
  const target = `Postgres at ${where(url)}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new FatalError(`cannot connect to ${target}: connection refused (is the server running?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FatalError(`cannot connect to ${target}: host not found`);
    case 'ETIMEDOUT':
      return new FatalError(`cannot connect to ${target}: timed out`);
    case '28P01':
    case '28000':
      return new FatalError(`cannot connect to ${target}: authentication failed (check DATABASE_URL)`);
    case '3D000':
      return new FatalError(`cannot connect to ${target}: database does not exist (run: mediatag migrate)`);
    default:
      return new FatalError(`cannot connect to ${target}: ${e.message.split('\n')[0]}`);
  }
}

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** Connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Server-side `statement_timeout` for every statement of the pool (default: none). */
  statementTimeoutMs?: number;
}

/** A pg pool with bounded connect time, so a dead server fails fast instead of hanging. */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'mediatag',
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client dying (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

/** Runs `SELECT 1`, translating failures into a one-line FatalError. */
export async function checkPostgres(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    throw connectionError(url, error);
  }
}
