import type pg from 'pg';
import type { Db } from './client.ts';

/** Where a statement runs: the program's handle (or its pool), or a pool client inside a transaction. */
export type Queryable = Db | pg.Pool | pg.PoolClient;

/**
 * Runs one statement as a named prepared statement: each pooled connection parses and plans
 * it once, then sends only the name and the values (see packages/db/README.md). `name` must be
 * unique in packages/db (`module/function`): pg refuses a name reused with another text.
 */
export function run<R extends pg.QueryResultRow = Record<string, unknown>>(
  on: Queryable,
  name: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const client = '$client' in on ? on.$client : on;
  return client.query<R>({ name, text, values });
}
