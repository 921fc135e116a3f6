import { type FeedRow, feedsById, subscribe } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName } from '../batch.ts';
import type { Context } from '../context.ts';
import { BatchWriter } from '../enqueue/writer.ts';
import { untilSignal } from '../signals.ts';
import { type CycleTotals, runCycle } from '../watch/cycle.ts';
import { readOpml } from '../watch/opml.ts';
import { openBatch } from './enqueue.ts';

const SPEC = defineSpec({
  usage:
    'mediatag watch --rss URL… [--opml FILE] --batch NAME [--taxonomy NAME] [--every 1h | --once] [--allow-private-hosts]',
  summary:
    "Keeps podcast feeds in sync with a batch: each cycle adds every feed's new episodes. Feeds are fetched conditionally (an unchanged feed costs one 304), followed when they move (permanent redirects, <itunes:new-feed-url>) without re-adding their archive, and kept in the feeds table with their errors.",
  options: {
    rss: { type: 'string', multiple: true },
    opml: { type: 'string' },
    batch: { type: 'string' },
    taxonomy: { type: 'string' },
    every: { type: 'string' },
    once: { type: 'boolean' },
    'allow-private-hosts': { type: 'boolean' },
  },
  help: {
    rss: 'URL  a podcast feed; repeatable',
    opml: "FILE  a podcast app's subscription export (OPML): every feed in it",
    batch: 'NAME  the batch the episodes go to (required)',
    taxonomy: 'NAME  tag list of a new batch (default media)',
    every: 'DURATION  time between cycles (30m, 1h, 1d; default 1h); runs until SIGINT/SIGTERM',
    once: 'one cycle, then exit (for cron)',
    'allow-private-hosts':
      'let feeds be fetched from loopback and private addresses (an intranet feed server)',
  },
  notes: [
    'A feed answering 429 or 5xx is not asked again before its Retry-After (its host neither);',
    'a failing feed is retried after 1, 2, 4 … minutes (at most 6 h), and one that failed every',
    'fetch for a day is reported and tried once a day. See the feeds table or mediatag status.',
    'Exit (with --once) 0 when at least one feed was read or unchanged, 1 when every fetch failed.',
  ],
});

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseEvery(text: string | undefined): number {
  if (text === undefined) return UNITS.h ?? 3_600_000;
  const m = /^(\d+)\s*([smhd])$/i.exec(text.trim());
  const ms = m ? Number(m[1]) * (UNITS[(m[2] ?? 'h').toLowerCase()] ?? 0) : 0;
  if (ms < 1000) throw new UsageError(`--every ${text}: expected a duration such as 30m, 1h or 1d`);
  return ms;
}

/** `mediatag watch`: subscribe the batch to feeds and add their new episodes, once or every interval. */
export const watchCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, SPEC.usage);
    const batch = batchName(values.batch, SPEC.usage);
    const rss = values.rss ?? [];
    if (rss.length === 0 && values.opml === undefined)
      throw new UsageError(`no feed given (--rss URL or --opml FILE)\nusage: ${SPEC.usage}`);
    if (values.once && values.every !== undefined)
      throw new UsageError('--once and --every exclude each other');
    const everyMs = parseEvery(values.every);
    return (ctx) =>
      run(ctx, {
        batch,
        taxonomy: values.taxonomy,
        rss,
        opml: values.opml,
        once: values.once === true,
        everyMs,
        allowPrivateHosts: values['allow-private-hosts'] === true,
      });
  },
};

interface Plan {
  batch: string;
  taxonomy: string | undefined;
  rss: string[];
  opml: string | undefined;
  once: boolean;
  everyMs: number;
  allowPrivateHosts: boolean;
}

async function run(ctx: Context, plan: Plan): Promise<number> {
  const wanted: { url: string; title: string | null }[] = plan.rss.map((url) => ({ url, title: null }));
  if (plan.opml !== undefined) {
    const { feeds, rejected } = await readOpml(plan.opml);
    for (const reason of rejected) ctx.err(`rejected ${plan.opml}: ${reason}`);
    ctx.err(`${plan.opml}: ${feeds.length} feeds`);
    wanted.push(...feeds);
  }
  const batch = await openBatch(ctx, plan.batch, plan.taxonomy, undefined);
  const db = await ctx.db();
  const feeds: FeedRow[] = [];
  for (const f of wanted) {
    const row = await subscribe(db, batch.id, f.url, f.title);
    if (!feeds.some((x) => x.id === row.id)) feeds.push(row);
  }
  const hostWait = new Map<string, number>();
  const stop = plan.once ? undefined : untilSignal();
  let stopped = false;
  void stop?.then(() => {
    stopped = true;
  });
  for (let cycle = 1; ; cycle += 1) {
    const writer = new BatchWriter(db, await ctx.queues(), batch);
    // The rows are read again each cycle: a move or a backoff recorded last time applies now.
    const current = await feedsById(
      db,
      feeds.map((f) => f.id),
    );
    const totals = await runCycle(
      {
        db,
        writer,
        maxBytes: ctx.env.FEED_MAX_BYTES,
        allowPrivateHosts: plan.allowPrivateHosts,
        say: (line) => ctx.err(line),
        hostWait,
      },
      current,
    );
    ctx.out(summary(plan.batch, cycle, current.length, totals));
    if (plan.once) return totals.failed > 0 && totals.fetched + totals.notModified === 0 ? 1 : 0;
    const timer = new Promise((resolve) => setTimeout(resolve, plan.everyMs).unref());
    await Promise.race([timer, stop]);
    if (stopped) return 0;
  }
}

function summary(batch: string, cycle: number, feeds: number, t: CycleTotals): string {
  return (
    `watch ${batch} cycle ${cycle}: ${feeds} feeds: ${t.fetched} read (${t.added} episodes added), ` +
    `${t.notModified} not modified (304), ${t.failed} failed, ${t.waiting} waiting (backoff)` +
    (t.moved > 0 ? `, ${t.moved} moved` : '')
  );
}
