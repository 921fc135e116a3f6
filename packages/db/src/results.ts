// Reading the `tagged_files` view page by page, for `mediatag results`.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Db } from './client.ts';

/** A column of `tagged_files`, and whether pg hands its values over as strings of a number. */
export interface ViewColumn {
  name: string;
  /** bigint or numeric: a string for exactness, a number to JSON consumers. */
  numeric: boolean;
}

// pg type oids.
const INT8 = 20;
const NUMERIC = 1700;
// What drizzle's db.execute leaves as Postgres's text (its own column mappers parse these):
// date, timestamp, timestamptz, interval and their arrays. A page parses them as pg does, so
// an export writes timestamps as it always did (ISO 8601 in UTC).
const LEFT_AS_TEXT = new Set([1082, 1114, 1184, 1186, 1182, 1115, 1185, 1187]);

/** The columns of the tagged_files view, in view order (whatever migrations added). */
export async function taggedFilesColumns(db: Db): Promise<ViewColumn[]> {
  const { fields } = await db.execute(sql`SELECT * FROM tagged_files LIMIT 0`);
  return fields.map((f) => ({ name: f.name, numeric: f.dataTypeID === INT8 || f.dataTypeID === NUMERIC }));
}

/** One page of a batch's rows: `columns` (names of `taggedFilesColumns`) of the files after `afterFileId`. */
export interface TaggedFilesPage {
  rows: Record<string, unknown>[];
  /** The key of the next page; null after the last one. */
  next: number | null;
}

/**
 * Up to `limit` rows of the batch in file id order after `afterFileId` (keyset paging: each
 * page costs the same however deep into the batch it is).
 */
export async function taggedFilesPage(
  db: Db,
  q: { batchId: number; columns: string[]; afterFileId: number; limit: number },
): Promise<TaggedFilesPage> {
  const columns = sql.join(
    q.columns.map((c) => sql.identifier(c)),
    sql`, `,
  );
  const { rows, fields } = await db.execute<Record<string, unknown> & { __page_key: string }>(sql`
    SELECT media_file_id AS "__page_key", ${columns} FROM tagged_files
     WHERE batch_id = ${q.batchId} AND media_file_id > ${q.afterFileId}
     ORDER BY media_file_id LIMIT ${q.limit}`);
  const parsers = fields
    .filter((f) => LEFT_AS_TEXT.has(f.dataTypeID))
    .map((f) => ({ name: f.name, parse: pg.types.getTypeParser(f.dataTypeID, 'text') }));
  const last = rows.at(-1);
  return {
    rows: rows.map(({ __page_key: _, ...row }) => {
      for (const { name, parse } of parsers) {
        const v = row[name];
        if (typeof v === 'string') row[name] = parse(v);
      }
      return row;
    }),
    next: rows.length < q.limit || !last ? null : Number(last.__page_key),
  };
}
