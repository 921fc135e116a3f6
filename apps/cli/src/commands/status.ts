import { canonical, describeTranscriptionOptions } from '@mediatag/assemblyai/transcript-options';
import {
  type BatchOptions,
  batchOptions,
  batchProgress,
  findBatch,
  type Progress,
  recentPace,
  resubmittedAfterSearch,
} from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { parse } from '../args.ts';
import type { Context } from '../context.ts';
import { describePace, type Pace, pace } from '../pace.ts';
import { formatDuration, ProgressReporter } from '../progress-bar.ts';
import { feedStatusLines } from '../watch/feed-status.ts';
import { EXIT, observe, type Reason, reasonsFor } from '../why.ts';

const USAGE = 'mediatag status [--batch NAME] [--wait] [--json] [--interval SECONDS] [--timeout SECONDS]';

function line(p: Progress, x: Pace, reasons: Reason[]): string {
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
    ...(reasons.length ? [`why: ${reasons.map((r) => r.text).join('; ')}`] : []),
  ].join('  ');
}

/** The options lines under a batch's line: only for a batch with options or files under another's. */
function optionLines(o: BatchOptions | undefined): string[] {
  if (!o || (o.transcriptionOptions === null && o.filesUnderOtherOptions === 0)) return [];
  const lines = [`  options: ${describeTranscriptionOptions(o.transcriptionOptions)}`];
  const n = o.filesUnderOtherOptions;
  if (n > 0) {
    lines.push(
      `  ${n} ${n === 1 ? 'file is' : 'files are'} transcribed under another batch's options: a file shared by batches keeps the transcript of the batch that listed it first`,
    );
  }
  return lines;
}

/** `mediatag status`: counts per stage and why a batch is not moving; `--wait` follows a batch. */
export async function statusCommand(ctx: Context, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      batch: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
      interval: { type: 'string' },
      timeout: { type: 'string' },
    },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`);
  const db = await ctx.db();
  if (values.batch !== undefined) {
    if (!(await findBatch(db, values.batch))) throw new UsageError(`no batch named "${values.batch}"`);
  }
  if (values.wait) {
    if (values.batch === undefined) throw new UsageError('--wait needs --batch NAME');
    const seconds = values.interval === undefined ? 1 : Number(values.interval);
    if (!(seconds > 0)) throw new UsageError('--interval must be a positive number of seconds');
    const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeout !== undefined && !(timeout > 0))
      throw new UsageError('--timeout must be a positive number of seconds');
    const reporter = new ProgressReporter(ctx.io.stderr, { json: values.json === true });
    const end = await followBatch(ctx, values.batch, seconds * 1000, reporter, timeout && timeout * 1000);
    if (values.json) ctx.out(JSON.stringify({ ...end.progress, reasons: end.reasons, exitCode: end.code }));
    return end.code;
  }
  const rows = await batchProgress(db, values.batch);
  const recent = await recentPace(db);
  // jsonb keeps keys in an order of its own; people and scripts get them sorted.
  const options = new Map(
    (await batchOptions(db, values.batch)).map((o) => [
      o.batch,
      { ...o, transcriptionOptions: o.transcriptionOptions && canonical(o.transcriptionOptions) },
    ]),
  );
  const seen = rows.length ? await observe(ctx, rows) : undefined;
  const searchLimit = await resubmittedAfterSearch(db, values.batch);
  const withPace = rows.map((row) => {
    const o = options.get(row.batch ?? '');
    return {
      ...row,
      resubmittedAfterSearchLimit: searchLimit.get(row.batch ?? '') ?? 0,
      transcriptionOptions: o?.transcriptionOptions ?? null,
      filesUnderOtherOptions: o?.filesUnderOtherOptions ?? 0,
      pace: pace(ctx.env, row, recent),
      reasons: seen ? reasonsFor(ctx.env, row, seen) : [],
    };
  });
  if (values.json) {
    ctx.out(JSON.stringify(values.batch === undefined ? withPace : withPace[0]));
  } else if (rows.length === 0) {
    ctx.out('no batches yet (add one with: mediatag enqueue URL… --batch NAME)');
  } else {
    for (const row of withPace) {
      ctx.out(line(row, row.pace, row.reasons));
      for (const extra of optionLines(options.get(row.batch ?? ''))) ctx.out(extra);
      const n = row.resubmittedAfterSearchLimit;
      if (n > 0) {
        ctx.out(
          `  note: ${n} ${n === 1 ? 'file was' : 'files were'} submitted again after the search for an earlier attempt's transcript reached its limit (10,000 most recent transcripts): ${n === 1 ? 'it' : 'each'} may be billed twice (media_files.submit_search_gave_up_at)`,
        );
      }
    }
    for (const feed of await feedStatusLines(db, values.batch)) ctx.out(feed);
  }
  return 0;
}

/** How following a batch ended. */
export interface FollowEnd {
  progress: Progress;
  reasons: Reason[];
  /** 0 all final, 1 some failed, 3 key rejected, 4 spending cap reached, 124 timed out. */
  code: number;
}

/**
 * Follows a batch until every file is final, a reason says it cannot progress without a
 * person (a rejected key, a spending cap with nothing else moving), or `timeoutMs` passes.
 * Each report carries the reasons it is not moving.
 */
export async function followBatch(
  ctx: Context,
  batch: string,
  intervalMs: number,
  reporter: ProgressReporter,
  timeoutMs?: number,
): Promise<FollowEnd> {
  const db = await ctx.db();
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (;;) {
    const [p] = await batchProgress(db, batch);
    if (!p) throw new UsageError(`no batch named "${batch}"`);
    const reasons = reasonsFor(ctx.env, p, await observe(ctx, [p]));
    const why = reasons.map((r) => r.text).join('; ');
    if (p.final >= p.total) {
      reporter.update(p, why);
      reporter.done(p);
      return { progress: p, reasons, code: p.failed > 0 ? EXIT.failed : EXIT.done };
    }
    reporter.update(p, why);
    const stuck = reasons.find((r) => r.exitCode !== undefined);
    if (stuck?.exitCode !== undefined) {
      reporter.stopped(p, `cannot progress without you: ${stuck.text}`);
      return { progress: p, reasons, code: stuck.exitCode };
    }
    if (Date.now() >= deadline) {
      reporter.stopped(p, `still not final after --timeout ${formatDuration((timeoutMs ?? 0) / 1000)}`);
      return { progress: p, reasons, code: EXIT.timeout };
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(intervalMs, Math.max(1, deadline - Date.now()))),
    );
  }
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
