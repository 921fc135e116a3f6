import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import * as schema from './schema.ts';

/** The typed database handle every program passes around. */
export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };

/** Wraps a pool in drizzle with the project schema. */
export function createDb(pool: pg.Pool): Db {
  return drizzle(pool, { schema }) as Db;
}
