import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName, requireBatch } from '../batch.ts';
import type { Context } from '../context.ts';
import { csvLine, jsonRow, RESULT_COLUMNS, type ResultRow, table } from '../format.ts';

const FORMATS = ['table', 'csv', 'json', 'jsonl'] as const;
type Format = (typeof FORMATS)[number];
const SPEC = defineSpec({
  usage: 'mediatag results --batch NAME [--format table|csv|json|jsonl]',
  summary: "Exports a batch's rows from the tagged_files view, streamed page by page.",
  options: { batch: { type: 'string' }, format: { type: 'string' } },
  help: {
    batch: 'NAME  the batch to export (required)',
    format: 'FORMAT  table (default), csv, json or jsonl',
  },
});
const PAGE = 1000;

/** `mediatag results`: exports a batch from `tagged_files`, streamed page by page (keyset on file id). */
export const resultsCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, SPEC.usage);
    const format = (values.format ?? 'table') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const name = batchName(values.batch, SPEC.usage);
    return (ctx) => run(ctx, name, format);
  },
};

async function run(ctx: Context, name: string, format: Format): Promise<number> {
  const db = await ctx.db();
  const batch = await requireBatch(db, name);
  const write = (s: string) => ctx.io.stdout.write(s);

  if (format === 'csv') write(`${RESULT_COLUMNS.join(',')}\n`);
  if (format === 'json') write('[');
  let after = 0;
  let count = 0;
  let tableRows: ResultRow[] = [];
  for (;;) {
    const { rows } = await db.$client.query(
      `SELECT media_file_id, ${RESULT_COLUMNS.join(', ')} FROM tagged_files
       WHERE batch_id = $1 AND media_file_id > $2 ORDER BY media_file_id LIMIT ${PAGE}`,
      [batch.id, after],
    );
    for (const row of rows as (ResultRow & { media_file_id: string })[]) {
      if (format === 'csv') write(`${csvLine(row)}\n`);
      else if (format === 'jsonl') write(`${jsonRow(row)}\n`);
      else if (format === 'json') write(`${count === 0 ? '\n' : ',\n'}${jsonRow(row)}`);
      else tableRows.push(row);
      count += 1;
    }
    if (format === 'table' && tableRows.length > 0) {
      // Widths are per page, so a huge batch still streams.
      for (const line of table(tableRows)) write(`${line}\n`);
      tableRows = [];
    }
    if (rows.length < PAGE) break;
    after = Number((rows.at(-1) as { media_file_id: string }).media_file_id);
  }
  if (format === 'json') write(count === 0 ? ']\n' : '\n]\n');
  if (format === 'table') ctx.err(`${count} files in batch ${batch.name}`);
  return 0;
}
