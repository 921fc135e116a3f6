import { fillPlaceholders, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Db } from './client.ts';

const dialect = new PgDialect();

/** Where a statement runs: the program's handle (or its pool), or a pool client inside a transaction. */
export type Queryable = Db | pg.Pool | pg.PoolClient;

/** A value given when a prepared statement runs: `${param('fileId')}` in its `sql` template. */
export const param = sql.placeholder;

/**
 * A statement the pipeline runs for every file: its `sql` template is compiled once, and it runs
 * as a named prepared statement, so each pooled connection parses and plans it once and then
 * sends only the name and the values (see packages/db/README.md).
 */
export class Prepared {
  readonly text: string;
  private readonly params: unknown[];

  /** `name` is unique in packages/db (`module/function`): pg refuses a name reused with another text. */
  constructor(
    readonly name: string,
    query: SQL,
  ) {
    const compiled = dialect.sqlToQuery(query);
    this.text = compiled.sql;
    this.params = compiled.params;
  }

  /** Runs with the values of its `param`s (a missing one throws before anything is sent). */
  run<R extends pg.QueryResultRow = Record<string, unknown>>(
    on: Queryable,
    values: Record<string, unknown> = {},
  ): Promise<pg.QueryResult<R>> {
    const client = '$client' in on ? on.$client : on;
    return client.query<R>({
      name: this.name,
      text: this.text,
      values: fillPlaceholders(this.params, values),
    });
  }
}

/** Every prepared statement declared so far, by name (plan-check.test.ts reads their plans). */
export const preparedStatements = new Map<string, Prepared>();

/** Declares a prepared statement (module level: it is compiled once). */
export function prepared(name: string, query: SQL): Prepared {
  const statement = new Prepared(name, query);
  preparedStatements.set(name, statement);
  return statement;
}
