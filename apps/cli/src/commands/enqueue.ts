import { batches, findTaxonomy, taxonomies } from '@mediatag/db';
import { FatalError, toError, UsageError } from '@mediatag/errors';
import { eq, sql } from 'drizzle-orm';
import { type Command, defineSpec, parseCommand } from '../args.ts';
import { batchName } from '../batch.ts';
import type { Context } from '../context.ts';
import { type FeedRecord, feedEpisodes } from '../enqueue/feed.ts';
import { type LocalResult, mapBounded, resolveLocalFile } from '../enqueue/local.ts';
import { EnqueueProgress } from '../enqueue/progress.ts';
import { type Item, sourceItems } from '../enqueue/sources.ts';
import { BatchWriter } from '../enqueue/writer.ts';

const SPEC = defineSpec({
  usage:
    'mediatag enqueue [SOURCE…] [--rss URL_OR_FILE…] [--allow-private-hosts] --batch NAME [--taxonomy NAME]',
  summary:
    'Adds media to a batch (created on first use) and queues it for transcription and tagging. SOURCE: an http(s) URL, a text file of URLs, a CSV file, - for stdin, an audio/video file or a folder of them.',
  options: {
    batch: { type: 'string' },
    taxonomy: { type: 'string' },
    rss: { type: 'string', multiple: true },
    'allow-private-hosts': { type: 'boolean' },
    'url-column': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  },
  help: {
    batch: 'NAME  the batch to add to (required)',
    taxonomy: 'NAME  tag list of a new batch (default media)',
    rss: 'URL_OR_FILE  a podcast feed (RSS 2.0, RSS 1.0 or Atom); repeatable',
    'allow-private-hosts': 'let --rss fetch from loopback and private addresses (an intranet feed server)',
    'url-column': 'NAME  the CSV column with the URLs (default url, any case); reads stdin as CSV too',
    quiet: 'no progress display (rejections and the summary are still printed)',
  },
  notes: [
    'CSV files (.csv, .tsv) may be separated by , ; or tab (detected from the header line); the other',
    'columns are kept as metadata. Progress (lines read, items added, bytes uploaded) is shown on',
    'stderr: one updating line on a terminal, else a line every 5 s or 10,000 lines.',
    'Exit 0 when something valid was read, 2 when nothing was.',
  ],
});
const USAGE = SPEC.usage;
// Past this many, rejected lines are counted but not each printed.
const MAX_PRINTED_REJECTIONS = 100;

/** Finds or creates the batch; refuses to silently switch an existing batch to another taxonomy. */
async function openBatch(ctx: Context, name: string, taxonomyName: string | undefined) {
  const db = await ctx.db();
  const [existing] = await db
    .select({
      id: batches.id,
      taxonomyId: batches.taxonomyId,
      taxonomy: taxonomies.name,
      version: taxonomies.version,
    })
    .from(batches)
    .innerJoin(taxonomies, eq(taxonomies.id, batches.taxonomyId))
    .where(eq(batches.name, name));
  if (existing) {
    if (taxonomyName !== undefined && taxonomyName !== existing.taxonomy) {
      throw new UsageError(
        `batch "${name}" is tagged with taxonomy "${existing.taxonomy}"; to switch, run: mediatag retag --batch ${name} --taxonomy ${taxonomyName}`,
      );
    }
    return { ...existing, created: false };
  }
  const wanted = taxonomyName ?? 'media';
  const taxonomy = await findTaxonomy(db, wanted);
  if (!taxonomy) throw new UsageError(`no taxonomy named "${wanted}" (see: mediatag taxonomy list)`);
  const [row] = await db
    .insert(batches)
    .values({ name, taxonomyId: taxonomy.id })
    .onConflictDoUpdate({ target: batches.name, set: { updatedAt: sql`now()` } })
    .returning({ id: batches.id, taxonomyId: batches.taxonomyId });
  if (!row) throw new Error('batch insert returned no row');
  return { ...row, taxonomy: taxonomy.name, version: taxonomy.version, created: true };
}

interface Plan {
  batch: string;
  taxonomy: string | undefined;
  feeds: string[];
  positionals: string[];
  urlColumn: string | undefined;
  quiet: boolean;
  allowPrivateHosts: boolean;
}

/** `mediatag enqueue`: read sources, write the batch to Postgres, add the jobs. */
export const enqueueCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    const feeds = values.rss ?? [];
    const batch = batchName(values.batch, USAGE);
    if (positionals.length === 0 && feeds.length === 0)
      throw new UsageError(`no SOURCE given\nusage: ${USAGE}`);
    if (positionals.filter((p) => p === '-').length > 1)
      throw new UsageError('stdin (-) can be read only once');
    const urlColumn = values['url-column'];
    if (urlColumn !== undefined && urlColumn.trim() === '')
      throw new UsageError('--url-column needs a column name');
    return (ctx) =>
      run(ctx, {
        batch,
        taxonomy: values.taxonomy,
        feeds,
        positionals,
        urlColumn,
        quiet: values.quiet === true,
        allowPrivateHosts: values['allow-private-hosts'] === true,
      });
  },
};

async function run(ctx: Context, plan: Plan): Promise<number> {
  // Unknown taxonomy or a batch conflict stop the run before anything is written.
  const batch = await openBatch(ctx, plan.batch, plan.taxonomy);
  const queues = await ctx.queues();
  const writer = new BatchWriter(await ctx.db(), queues, batch);
  const progress = new EnqueueProgress(ctx.io.stderr, () => writer.totals, { quiet: plan.quiet });
  try {
    return await read(ctx, plan, batch, writer, progress);
  } finally {
    progress.done();
  }
}

async function read(
  ctx: Context,
  plan: Plan,
  batch: Awaited<ReturnType<typeof openBatch>>,
  writer: BatchWriter,
  progress: EnqueueProgress,
): Promise<number> {
  const { feeds, positionals } = plan;
  let rejected = 0;
  let valid = 0;
  // A message must not land in the middle of the progress line a terminal shows.
  const say = (line: string) => {
    progress.clear();
    ctx.err(line);
  };
  const report = (where: string, reason: string) => {
    rejected += 1;
    if (rejected <= MAX_PRINTED_REJECTIONS) say(`rejected ${where}: ${reason}`);
  };
  const reject = (item: Extract<Item, { kind: 'rejected' }>) =>
    report(
      item.origin.line > 0 ? `${item.origin.source}:${item.origin.line}` : item.origin.source,
      item.reason,
    );
  // Feed items are named by position and guid: line numbers mean nothing in XML.
  const rejectItem = (rec: Extract<FeedRecord, { kind: 'rejected' }>) =>
    report(
      `${rec.origin.source}: item ${rec.origin.line}${rec.guid === null ? '' : ` (${rec.guid})`}`,
      rec.reason,
    );
  // What is being read, for a failure whose message would not say (a database error).
  let reading = '';
  const locals: string[] = [];
  let uploaded = 0;
  try {
    for (const feed of feeds) {
      reading = `feed ${feed}`;
      for await (const rec of feedEpisodes(feed, {
        maxBytes: ctx.env.FEED_MAX_BYTES,
        allowPrivateHosts: plan.allowPrivateHosts,
      })) {
        progress.item();
        if (rec.kind === 'rejected') {
          rejectItem(rec);
          continue;
        }
        valid += 1;
        await writer.add(rec.url, {
          source: 'rss',
          title: rec.title,
          guid: rec.guid,
          publishedAt: rec.publishedAt,
          episodeDurationS: rec.durationS,
          feedTitle: rec.feedTitle,
          feedUrl: rec.feedUrl,
          metadata: rec.enclosureType ? { enclosure_type: rec.enclosureType } : null,
        });
      }
    }
    for (const [i, arg] of positionals.entries()) {
      reading = arg;
      // Lines read from this source, when it is line-based (a file or stdin, not a URL or folder).
      let lines: number | undefined;
      let found = 0;
      const hooks = {
        lines: (_source: string, count: number) => {
          lines = (lines ?? 0) + count;
          progress.read(count);
        },
      };
      for await (const item of sourceItems(arg, i + 1, ctx.io.stdin, { urlColumn: plan.urlColumn, hooks })) {
        if (item.kind === 'rejected') reject(item);
        else if (item.kind === 'local') locals.push(item.path);
        else {
          valid += 1;
          found += 1;
          await writer.add(item.url, { metadata: item.metadata });
        }
      }
      if (lines !== undefined && found === 0) {
        say(`${arg === '-' ? 'stdin' : arg}: no media URLs in ${lines} ${lines === 1 ? 'line' : 'lines'}`);
      }
    }
    reading = 'local files';
    if (locals.length > 0) {
      const aai = await ctx.assemblyai();
      const db = await ctx.db();
      if (!plan.quiet)
        say(`uploading ${locals.length} local files (${ctx.env.UPLOAD_CONCURRENCY} at a time)…`);
      progress.locals(locals.length);
      const sameRun = new Map<string, Promise<LocalResult>>();
      const results = mapBounded(toAsync(locals), ctx.env.UPLOAD_CONCURRENCY, async (path) => ({
        path,
        result: await resolveLocalFile(db, aai, path, sameRun),
      }));
      for await (const { path, result } of results) {
        progress.local(result.ok && result.uploaded ? result.bytes : 0);
        if (!result.ok) {
          reject({ kind: 'rejected', reason: result.reason, origin: { source: path, line: 0 } });
          continue;
        }
        valid += 1;
        if (result.uploaded) uploaded += 1;
        await writer.add(result.url, { source: 'upload' });
      }
    }
    reading = '';
    await writer.flush();
  } catch (error) {
    throw stopped(ctx, error, reading, plan.batch, writer.totals.added);
  }
  if (valid === 0 && batch.created) {
    // Nothing usable was read: leave no empty batch behind.
    await (await ctx.db()).delete(batches).where(eq(batches.id, batch.id));
  }
  if (rejected > MAX_PRINTED_REJECTIONS) {
    ctx.err(`… and ${rejected - MAX_PRINTED_REJECTIONS} more rejected lines not shown`);
  }
  const t = writer.totals;
  ctx.out(
    `batch ${plan.batch} (taxonomy ${batch.taxonomy} v${batch.version}): added ${t.added}, already known ${t.alreadyKnown}, rejected ${rejected}` +
      (t.reused > 0 ? ` (${t.reused} reuse an existing transcript: tagging only)` : '') +
      (locals.length > 0
        ? `; uploaded ${uploaded} of ${locals.length} local files (identical content is sent once)`
        : ''),
  );
  return valid > 0 ? 0 : 2;
}

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * A run that fails part-way has committed its earlier chunks. The message says so, and that
 * running the same command again continues: added URLs and feed guids are skipped.
 */
function stopped(ctx: Context, error: unknown, reading: string, batch: string, added: number): Error {
  const e = toError(error);
  const first = e.message.split('\n')[0] ?? '';
  const what = reading === '' || first.includes(reading) ? first : `${reading}: ${first}`;
  const message =
    `${what}\n${added === 0 ? 'nothing was' : added === 1 ? '1 file was' : `${added} files were`} added to batch ${batch} before this; ` +
    'running the same command again continues (what is already in the batch is skipped)';
  if (e instanceof UsageError) return new UsageError(message, { cause: e });
  // Not one of ours: keep the stack in the log, show the user one clear message.
  if (!(e instanceof FatalError)) ctx.log.error({ err: e }, 'enqueue stopped');
  return new FatalError(message, { cause: e });
}
