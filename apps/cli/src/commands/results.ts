import { taggedFilesColumns, taggedFilesPage } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName, requireBatch } from '../batch.ts';
import type { Context } from '../context.ts';
import { csvLine, jsonRow, type ResultRow, TABLE_COLUMNS, table } from '../format.ts';

const FORMATS = ['table', 'csv', 'json', 'jsonl'] as const;
type Format = (typeof FORMATS)[number];
const SPEC = defineSpec({
  usage: 'mediatag results --batch NAME [--format table|csv|json|jsonl] [--columns A,B,…]',
  summary: "Exports a batch's rows from the tagged_files view, streamed page by page.",
  options: { batch: { type: 'string' }, format: { type: 'string' }, columns: { type: 'string' } },
  help: {
    batch: 'NAME  the batch to export (required)',
    format: 'FORMAT  table (default), csv, json or jsonl',
    columns: `A,B,…  columns of tagged_files to export, in this order (default: all of them for csv/json/jsonl, ${TABLE_COLUMNS.join(',')} for table)`,
  },
});
const PAGE = 1000;

function chooseColumns(all: string[], wanted: string[] | undefined, format: Format): string[] {
  if (wanted === undefined) return format === 'table' ? TABLE_COLUMNS.filter((c) => all.includes(c)) : all;
  const unknown = wanted.filter((c) => !all.includes(c));
  if (unknown.length > 0) {
    const list = unknown.map((c) => `"${c}"`).join(', ');
    throw new UsageError(`--columns: no column ${list} in tagged_files; valid columns: ${all.join(', ')}`);
  }
  return wanted;
}

/** `mediatag results`: exports a batch from `tagged_files`, streamed page by page (keyset on file id). */
export const resultsCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, SPEC.usage);
    const format = (values.format ?? 'table') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const name = batchName(values.batch, SPEC.usage);
    let columns: string[] | undefined;
    if (values.columns !== undefined) {
      columns = [...new Set(values.columns.split(',').map((c) => c.trim()))].filter((c) => c !== '');
      if (columns.length === 0) throw new UsageError('--columns needs at least one column name');
    }
    return (ctx) => run(ctx, name, format, columns);
  },
};

async function run(
  ctx: Context,
  name: string,
  format: Format,
  wanted: string[] | undefined,
): Promise<number> {
  const db = await ctx.db();
  const view = await taggedFilesColumns(db);
  const columns = chooseColumns(
    view.map((c) => c.name),
    wanted,
    format,
  );
  const numeric = new Set(view.filter((c) => c.numeric).map((c) => c.name));
  const batch = await requireBatch(db, name);
  const write = (s: string) => ctx.io.stdout.write(s);
  const toJson = (row: ResultRow) => {
    for (const c of columns) {
      const v = row[c];
      if (numeric.has(c) && typeof v === 'string' && Number.isFinite(Number(v))) row[c] = Number(v);
    }
    return jsonRow(row, columns);
  };

  if (format === 'csv') write(`${columns.join(',')}\n`);
  if (format === 'json') write('[');
  let after: number | null = 0;
  let count = 0;
  let tableRows: ResultRow[] = [];
  while (after !== null) {
    const page = await taggedFilesPage(db, { batchId: batch.id, columns, afterFileId: after, limit: PAGE });
    for (const row of page.rows) {
      if (format === 'csv') write(`${csvLine(row, columns)}\n`);
      else if (format === 'jsonl') write(`${toJson(row)}\n`);
      else if (format === 'json') write(`${count === 0 ? '\n' : ',\n'}${toJson(row)}`);
      else tableRows.push(row);
      count += 1;
    }
    if (format === 'table' && tableRows.length > 0) {
      // Widths are per page, so a huge batch still streams.
      for (const line of table(tableRows, columns)) write(`${line}\n`);
      tableRows = [];
    }
    after = page.next;
  }
  if (format === 'json') write(count === 0 ? ']\n' : '\n]\n');
  if (format === 'table') ctx.err(`${count} files in batch ${batch.name}`);
  return 0;
}
