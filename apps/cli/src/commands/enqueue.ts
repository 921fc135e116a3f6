import { batches, findTaxonomy, taxonomies } from '@mediatag/db';
import { FatalError, toError, UsageError } from '@mediatag/errors';
import { eq, sql } from 'drizzle-orm';
import { parse } from '../args.ts';
import type { Context } from '../context.ts';
import { type FeedRecord, feedEpisodes } from '../enqueue/feed.ts';
import { type LocalResult, mapBounded, resolveLocalFile } from '../enqueue/local.ts';
import { type Item, sourceItems } from '../enqueue/sources.ts';
import { BatchWriter } from '../enqueue/writer.ts';

const USAGE =
  'mediatag enqueue [SOURCE…] [--rss URL_OR_FILE…] [--allow-private-hosts] --batch NAME [--taxonomy NAME]  (SOURCE: URL, file of URLs, CSV, - for stdin, audio file or folder)';
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

/** `mediatag enqueue`: read sources, write the batch to Postgres, add the jobs. */
export async function enqueueCommand(ctx: Context, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      batch: { type: 'string' },
      taxonomy: { type: 'string' },
      rss: { type: 'string', multiple: true },
      // Feeds on an intranet server: lets --rss reach loopback and private addresses.
      'allow-private-hosts': { type: 'boolean' },
    },
    USAGE,
  );
  const feeds = values.rss ?? [];
  if (!values.batch) throw new UsageError(`--batch NAME is required\nusage: ${USAGE}`);
  if (positionals.length === 0 && feeds.length === 0)
    throw new UsageError(`no SOURCE given\nusage: ${USAGE}`);
  if (values.batch.length > 200) throw new UsageError('--batch NAME is longer than 200 characters');
  if (positionals.filter((p) => p === '-').length > 1)
    throw new UsageError('stdin (-) can be read only once');

  // Unknown taxonomy or a batch conflict stop the run before anything is written.
  const batch = await openBatch(ctx, values.batch, values.taxonomy);
  const queues = await ctx.queues();
  const writer = new BatchWriter(await ctx.db(), queues, batch);
  let rejected = 0;
  let valid = 0;
  const report = (where: string, reason: string) => {
    rejected += 1;
    if (rejected <= MAX_PRINTED_REJECTIONS) ctx.err(`rejected ${where}: ${reason}`);
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
        allowPrivateHosts: values['allow-private-hosts'] === true,
      })) {
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
      for await (const item of sourceItems(arg, i + 1, ctx.io.stdin)) {
        if (item.kind === 'rejected') reject(item);
        else if (item.kind === 'local') locals.push(item.path);
        else {
          valid += 1;
          await writer.add(item.url, { metadata: item.metadata });
        }
      }
    }
    reading = 'local files';
    if (locals.length > 0) {
      const aai = ctx.assemblyai();
      const db = await ctx.db();
      ctx.err(`uploading ${locals.length} local files (${ctx.env.UPLOAD_CONCURRENCY} at a time)…`);
      const sameRun = new Map<string, Promise<LocalResult>>();
      const results = mapBounded(toAsync(locals), ctx.env.UPLOAD_CONCURRENCY, async (path) => ({
        path,
        result: await resolveLocalFile(db, aai, path, sameRun),
      }));
      for await (const { path, result } of results) {
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
    throw stopped(ctx, error, reading, values.batch, writer.totals.added);
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
    `batch ${values.batch} (taxonomy ${batch.taxonomy} v${batch.version}): added ${t.added}, already known ${t.alreadyKnown}, rejected ${rejected}` +
      (t.reused > 0 ? ` (${t.reused} reuse an existing transcript: tagging only)` : '') +
      (locals.length > 0
        ? `; uploaded ${uploaded} of ${locals.length} local files (identical content is sent once)`
        : ''),
  );
  return valid > 0 ? 0 : 2;
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

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
