import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '@mediatag/errors';
import { loadReport, renderReport, UnknownBatchError } from '@mediatag/report';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName } from '../batch.ts';
import type { Context } from '../context.ts';

const SPEC = defineSpec({
  usage: 'mediatag report --batch NAME [--batch NAME2] [--out FILE.html]',
  summary:
    'Writes one self-contained HTML page about a batch (or two side by side): topics, status counts, audio hours, cost, processing time, the unmatched and failed files, and the newest `mediatag eval` of the batch.',
  options: { batch: { type: 'string', multiple: true }, out: { type: 'string' } },
  help: {
    batch: 'NAME  the batch to report on (required); give it twice to compare two batches',
    out: 'FILE  where to write the page (default: report-<batch>.html in the current directory)',
  },
  notes: ['The page opens from disk with no network: Chart.js and the styles are inlined.'],
});

/** `report-<batch>.html`, or `report-<a>-vs-<b>.html`, with anything a file name should not hold made `_`. */
export function defaultReportFile(names: string[]): string {
  const safe = names.map((n) => n.replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\.+/, '_'));
  return `report-${safe.join('-vs-')}.html`;
}

/** `mediatag report`: renders the report page of one or two batches to a file and prints its path. */
export const reportCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, SPEC.usage);
    const given = values.batch ?? [];
    if (given.length === 0) batchName(undefined, SPEC.usage);
    if (given.length > 2)
      throw new UsageError(`--batch: at most two batches side by side\nusage: ${SPEC.usage}`);
    const names = given.map((n) => batchName(n, SPEC.usage));
    if (names.length === 2 && names[0] === names[1])
      throw new UsageError(`--batch "${names[0]}" given twice: compare two different batches`);
    if (values.out === '') throw new UsageError('--out needs a file name');
    const out = resolve(values.out ?? defaultReportFile(names));
    return (ctx) => run(ctx, names, out);
  },
};

async function run(ctx: Context, names: string[], out: string): Promise<number> {
  const db = await ctx.db();
  let data: Awaited<ReturnType<typeof loadReport>>;
  try {
    data = await loadReport(db, names);
  } catch (error) {
    if (error instanceof UnknownBatchError) throw new UsageError(error.message);
    throw error;
  }
  await writeFile(out, renderReport(data).html);
  ctx.out(out);
  return 0;
}
