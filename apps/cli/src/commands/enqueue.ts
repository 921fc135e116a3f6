import {
  canonical,
  describeTranscriptionOptions,
  type TranscriptionOptions,
} from '@mediatag/assemblyai/transcript-options';
import { createBatch, deleteBatch, findBatchWithTaxonomy, findTaxonomy, queryErrorCause } from '@mediatag/db';
import { FatalError, toError, UsageError } from '@mediatag/errors';
import { createS3Client, parseS3Location, type S3Location, s3SettingsFromEnv } from '@mediatag/s3';
import {
  compileKeyPattern,
  type FeedRecord,
  feedEpisodes,
  type Item,
  type KeyMatcher,
  parseSince,
  type S3Totals,
  s3Items,
  s3Totals,
  sourceItems,
} from '@mediatag/sources';
import { type Command, defineSpec, parseCommand } from '../args.ts';
import { batchName } from '../batch.ts';
import { describeCap, parseCap, setCap } from '../cap.ts';
import type { Context } from '../context.ts';
import { type LocalResult, mapBounded, resolveLocalFile } from '../enqueue/local.ts';
import { EnqueueProgress } from '../enqueue/progress.ts';
import { transcriptionOptionsFromFlags } from '../enqueue/transcription-options.ts';
import { BatchWriter, episodeFields } from '../enqueue/writer.ts';

const SPEC = defineSpec({
  usage:
    'mediatag enqueue [SOURCE…] [--rss URL_OR_FILE…] [--allow-private-hosts] [--since WHEN] [--max-files N] [--key-pattern P] --batch NAME [--taxonomy NAME] [--transcription-options FILE.json] [--speaker-labels] [--multichannel] [--redact-pii POLICY,…] [--language-detection | --language CODE] [--max-cost USD]',
  summary:
    'Adds media to a batch (created on first use) and queues it for transcription and tagging. SOURCE: an http(s) URL, a text file of URLs, a CSV file, - for stdin, an audio/video file or a folder of them, or s3://BUCKET/PREFIX/ (every audio/video object under it).',
  options: {
    batch: { type: 'string' },
    taxonomy: { type: 'string' },
    rss: { type: 'string', multiple: true },
    'allow-private-hosts': { type: 'boolean' },
    'url-column': { type: 'string' },
    since: { type: 'string' },
    'max-files': { type: 'string' },
    'key-pattern': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
    'transcription-options': { type: 'string' },
    'speaker-labels': { type: 'boolean' },
    multichannel: { type: 'boolean' },
    'redact-pii': { type: 'string' },
    'language-detection': { type: 'boolean' },
    language: { type: 'string' },
    'max-cost': { type: 'string' },
  },
  help: {
    batch: 'NAME  the batch to add to (required)',
    taxonomy: 'NAME  tag list of a new batch (default media)',
    rss: 'URL_OR_FILE  a podcast feed (RSS 2.0, RSS 1.0 or Atom); repeatable',
    'allow-private-hosts': 'let --rss fetch from loopback and private addresses (an intranet feed server)',
    'url-column': 'NAME  the CSV column with the URLs (default url, any case); reads stdin as CSV too',
    since: 'WHEN  s3:// only: objects modified in the last 24h / 7d, or since a date (2026-11-30)',
    'max-files': 'N  s3:// only: stop after N media objects',
    'key-pattern': "PATTERN  s3:// only: key fields into metadata, e.g. '{date}/{agent}/{call_id}.wav'",
    quiet: 'no progress display (rejections and the summary are still printed)',
    'transcription-options':
      'FILE.json  AssemblyAI transcript fields for every file of a new batch (e.g. {"speaker_labels": true})',
    'speaker-labels': 'label speakers A, B, … (speaker_labels)',
    multichannel: 'transcribe each audio channel apart, e.g. agent and caller (multichannel)',
    'redact-pii': 'POLICY,…  redact PII in the text: redact_pii with these redact_pii_policies',
    'language-detection': 'detect the spoken language (language_detection)',
    language: 'CODE  the spoken language, e.g. en_us, es, de (language_code)',
    'max-cost':
      "USD  the batch's spending cap (none = no cap); also changes an existing batch's (see mediatag batch set-cap)",
  },
  notes: [
    'CSV files (.csv, .tsv) may be separated by , ; or tab (detected from the header line); the other',
    'columns are kept as metadata. Progress (lines read, items added, bytes uploaded) is shown on',
    'stderr: one updating line on a terminal, else a line every 5 s or 10,000 lines.',
    "Transcription options are checked against AssemblyAI's transcript request schema and kept",
    'with the batch; the flags win over the file. A file listed by several batches is transcribed',
    'once, with the options of the batch that listed it first.',
    's3:// objects are stored as s3://bucket/key#etag (the same object again is already known, a',
    'rewritten one is new) and signed by the worker at submission; credentials, region and',
    'AWS_ENDPOINT_URL_S3 come from the standard AWS chain.',
    'Exit 0 when something valid was read, 2 when nothing was.',
  ],
});
const USAGE = SPEC.usage;
// Past this many, rejected lines are counted but not each printed.
const MAX_PRINTED_REJECTIONS = 100;

/**
 * Finds or creates the batch; refuses to silently switch an existing batch to another taxonomy
 * or other transcription options (none given = keep the batch's).
 */
export async function openBatch(
  ctx: Context,
  name: string,
  taxonomyName: string | undefined,
  options: TranscriptionOptions | undefined,
) {
  const db = await ctx.db();
  const existing = await findBatchWithTaxonomy(db, name);
  if (existing) {
    if (taxonomyName !== undefined && taxonomyName !== existing.taxonomy) {
      throw new UsageError(
        `batch "${name}" is tagged with taxonomy "${existing.taxonomy}"; to switch, run: mediatag retag --batch ${name} --taxonomy ${taxonomyName}`,
      );
    }
    // jsonb keeps keys in an order of its own: compare both sides with keys sorted.
    const stored = existing.options ? canonical(existing.options) : null;
    if (options !== undefined && JSON.stringify(options) !== JSON.stringify(stored)) {
      throw new UsageError(
        `batch "${name}" has other transcription options (${describeTranscriptionOptions(stored)}); ` +
          `a batch keeps the options it was created with: enqueue with the same options, or none, or use a new batch name. ` +
          `See them with: mediatag status --batch ${name}`,
      );
    }
    return { ...existing, options: stored, created: false };
  }
  const wanted = taxonomyName ?? 'media';
  const taxonomy = await findTaxonomy(db, wanted);
  if (!taxonomy) throw new UsageError(`no taxonomy named "${wanted}" (see: mediatag taxonomy list)`);
  const row = await createBatch(db, { name, taxonomyId: taxonomy.id, transcriptionOptions: options ?? null });
  return {
    ...row,
    taxonomy: taxonomy.name,
    version: taxonomy.version,
    options: options ?? null,
    created: true,
  };
}

interface Plan {
  batch: string;
  taxonomy: string | undefined;
  feeds: string[];
  positionals: string[];
  urlColumn: string | undefined;
  quiet: boolean;
  allowPrivateHosts: boolean;
  options: TranscriptionOptions | undefined;
  /** undefined = leave the batch's cap as it is; null = no cap. */
  maxCost: number | null | undefined;
  s3: {
    locations: S3Location[];
    since: Date | undefined;
    maxFiles: number | undefined;
    keyPattern: KeyMatcher | undefined;
  };
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
    const maxCost = values['max-cost'] === undefined ? undefined : parseCap(values['max-cost'], '--max-cost');
    const urlColumn = values['url-column'];
    if (urlColumn !== undefined && urlColumn.trim() === '')
      throw new UsageError('--url-column needs a column name');
    if (values['language-detection'] && values.language !== undefined)
      throw new UsageError('--language CODE and --language-detection exclude each other: give one');
    // Read and checked here, before anything connects: a bad file creates no batch.
    const options = transcriptionOptionsFromFlags({
      file: values['transcription-options'],
      speakerLabels: values['speaker-labels'] === true,
      multichannel: values.multichannel === true,
      redactPii: values['redact-pii'],
      languageDetection: values['language-detection'] === true,
      language: values.language,
    });
    const s3 = s3Plan(positionals, values);
    return (ctx) =>
      run(ctx, {
        batch,
        taxonomy: values.taxonomy,
        feeds,
        positionals: positionals.filter((p) => !p.startsWith('s3://')),
        s3,
        urlColumn,
        quiet: values.quiet === true,
        allowPrivateHosts: values['allow-private-hosts'] === true,
        options,
        maxCost,
      });
  },
};

/** The s3:// sources and their options, checked before anything runs. */
function s3Plan(
  positionals: string[],
  values: {
    since?: string | undefined;
    'max-files'?: string | undefined;
    'key-pattern'?: string | undefined;
  },
): Plan['s3'] {
  const locations: S3Location[] = [];
  for (const p of positionals.filter((a) => a.startsWith('s3://'))) {
    try {
      locations.push(parseS3Location(p));
    } catch (error) {
      throw new UsageError(toError(error).message);
    }
  }
  const used = (['since', 'max-files', 'key-pattern'] as const).filter((k) => values[k] !== undefined);
  if (locations.length === 0 && used.length > 0)
    throw new UsageError(`--${used[0]} applies to s3:// sources only`);
  const max = values['max-files'];
  if (max !== undefined && !/^[1-9]\d*$/.test(max.trim()))
    throw new UsageError(`--max-files ${max}: expected a positive integer`);
  return {
    locations,
    since: values.since === undefined ? undefined : parseSince(values.since),
    maxFiles: max === undefined ? undefined : Number(max),
    keyPattern: values['key-pattern'] === undefined ? undefined : compileKeyPattern(values['key-pattern']),
  };
}

async function run(ctx: Context, plan: Plan): Promise<number> {
  // Postgres and Redis are both reached before the batch is made: an unreachable one leaves
  // nothing behind. Unknown taxonomy or a batch conflict also stop the run before any write.
  await ctx.connect({ redis: true });
  const batch = await openBatch(ctx, plan.batch, plan.taxonomy, plan.options);
  // Set before any job is added, so not one file of the batch is submitted past it.
  if (plan.maxCost !== undefined) {
    await setCap(ctx, batch.id, plan.maxCost);
    ctx.err(`batch ${plan.batch}: ${describeCap(plan.maxCost)}`);
  }
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
        await writer.add(rec.url, episodeFields(rec, rec.feedUrl));
      }
    }
    for (const location of plan.s3.locations) {
      const source = `s3://${location.bucket}/${location.prefix}`;
      reading = source;
      const totals = s3Totals();
      const client = createS3Client(s3SettingsFromEnv(ctx.env));
      try {
        for await (const item of s3Items(location, { ...plan.s3, client }, totals)) {
          progress.object();
          if (item.kind === 'rejected') {
            reject(item);
            continue;
          }
          valid += 1;
          await writer.add(item.url, { source: 's3', metadata: item.metadata });
        }
      } finally {
        client.destroy();
      }
      say(s3Summary(source, totals, plan.s3.maxFiles));
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
          await writer.add(item.url, { metadata: item.metadata, episodeDurationS: item.durationS ?? null });
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
    await deleteBatch(await ctx.db(), batch.id);
  }
  if (rejected > MAX_PRINTED_REJECTIONS) {
    ctx.err(`… and ${rejected - MAX_PRINTED_REJECTIONS} more rejected lines not shown`);
  }
  const t = writer.totals;
  ctx.out(
    `batch ${plan.batch} (taxonomy ${batch.taxonomy} v${batch.version}${batch.options ? `; options: ${describeTranscriptionOptions(batch.options)}` : ''}): added ${t.added}, already known ${t.alreadyKnown}, rejected ${rejected}` +
      (t.reused > 0 ? ` (${t.reused} reuse an existing transcript: tagging only)` : '') +
      (locals.length > 0
        ? `; uploaded ${uploaded} of ${locals.length} local files (identical content is sent once)`
        : ''),
  );
  return valid > 0 ? 0 : 2;
}

/** `s3://calls/2026-11-30/: 1,005 objects in 2 pages: 1,000 media, 5 skipped (not audio or video)`. */
function s3Summary(source: string, t: S3Totals, maxFiles: number | undefined): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const skipped = [
    t.notMedia > 0 ? `${n(t.notMedia)} not audio or video` : '',
    t.older > 0 ? `${n(t.older)} older than --since` : '',
    t.empty > 0 ? `${n(t.empty)} empty or folder markers` : '',
  ].filter(Boolean);
  return (
    `${source}: ${n(t.listed)} objects in ${t.pages} ${t.pages === 1 ? 'page' : 'pages'}: ${n(t.media)} media` +
    (skipped.length > 0 ? `, skipped ${skipped.join(', ')}` : '') +
    (t.truncated ? `; stopped at --max-files ${maxFiles}` : '')
  );
}

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * A run that fails part-way has committed its earlier chunks. The message says so, and that
 * running the same command again continues: added URLs and feed guids are skipped.
 */
function stopped(ctx: Context, error: unknown, reading: string, batch: string, added: number): Error {
  // A failed statement's own message, not drizzle's wrapper (which is the whole statement).
  const e = toError(queryErrorCause(error));
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
