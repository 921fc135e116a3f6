import { batches, batchProgress, type Progress, recentPace } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { eq } from 'drizzle-orm';
import { parse } from '../args.ts';
import type { Context } from '../context.ts';
import { describePace, type Pace, pace } from '../pace.ts';
import { formatDuration, ProgressReporter } from '../progress-bar.ts';
import { feedStatusLines } from '../watch/store.ts';

const USAGE = 'mediatag status [--batch NAME] [--wait] [--json] [--interval SECONDS]';

function line(p: Progress, x: Pace): string {
  return [
    `${p.batch}:`,
    `${p.total} files`,
    `${p.pending} pending`,
    `${p.queued + p.processing} transcribing`,
    `${p.tagging} tagging`,
    `${p.tagged} tagged`,
    `${p.unmatched} unmatched`,
    `${p.failed} failed`,
    `${(p.audioSeconds / 3600).toFixed(2)} audio h`,
    `${p.inputTokens + p.outputTokens} LLM tokens`,
    `~$${p.costUsd.toFixed(2)}`,
    ...(x.etaSeconds === null ? [] : [describePace(x), `ETA ${formatDuration(x.etaSeconds)}`]),
  ].join('  ');
}

/** `mediatag status`: counts per stage; `--wait` follows a batch until every file is final. */
export async function statusCommand(ctx: Context, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      batch: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      interval: { type: 'string' },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`);
  const db = await ctx.db();
  if (values.batch !== undefined) {
    const found = await db.select({ id: batches.id }).from(batches).where(eq(batches.name, values.batch));
    if (found.length === 0) throw new UsageError(`no batch named "${values.batch}"`);
  }
  if (values.wait) {
    if (values.batch === undefined) throw new UsageError('--wait needs --batch NAME');
    const seconds = values.interval === undefined ? 1 : Number(values.interval);
    if (!(seconds > 0)) throw new UsageError('--interval must be a positive number of seconds');
    const reporter = new ProgressReporter(ctx.io.stderr, { json: values.json === true });
    const final = await waitForBatch(ctx, values.batch, seconds * 1000, reporter);
    if (values.json) ctx.out(JSON.stringify(final));
    return final.failed > 0 ? 1 : 0;
  }
  const rows = await batchProgress(db, values.batch);
  const recent = await recentPace(db);
  const withPace = rows.map((row) => ({ ...row, pace: pace(ctx.env, row, recent) }));
  if (values.json) {
    ctx.out(JSON.stringify(values.batch === undefined ? withPace : withPace[0]));
  } else if (rows.length === 0) {
    ctx.out('no batches yet (add one with: mediatag enqueue URL… --batch NAME)');
  } else {
    for (const row of withPace) ctx.out(line(row, row.pace));
    for (const feed of await feedStatusLines(db, values.batch)) ctx.out(feed);
  }
  return 0;
}

/** Polls Postgres until every file of the batch is final, reporting progress as it goes. */
export async function waitForBatch(
  ctx: Context,
  batch: string,
  intervalMs: number,
  reporter: ProgressReporter,
  signal?: AbortSignal,
): Promise<Progress> {
  const db = await ctx.db();
  for (;;) {
    const [p] = await batchProgress(db, batch);
    if (!p) throw new UsageError(`no batch named "${batch}"`);
    reporter.update(p);
    if (p.final >= p.total) {
      reporter.done(p);
      return p;
    }
    if (signal?.aborted) throw signal.reason;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
