import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { UsageError } from '@mediatag/errors';
import { parse as parseCsv } from 'csv-parse';
import { durationSeconds } from './feed-values.ts';
import { decodeUtf8, readLines } from './lines.ts';
import { checkUrl, MAX_URL_LENGTH } from './validate.ts';
import { isMediaPath, walk } from './walk.ts';

/** Where a record came from, for messages: `calls.txt:12`, `stdin:3`, `argument 2`. */
export interface Origin {
  source: string;
  line: number;
}

/** One item read from a source: a valid URL (with optional metadata) or a rejection. */
export type Item =
  | {
      kind: 'url';
      url: string;
      metadata: Record<string, string> | null;
      origin: Origin;
      /** The audio's length as the source states it (a CSV `duration` column), in seconds. */
      durationS?: number | null;
    }
  | { kind: 'local'; path: string; origin: Origin }
  | { kind: 'rejected'; reason: string; origin: Origin };

/** How a source reports what it has read, for progress and for "no media URLs in N lines". */
export interface SourceHooks {
  /** Called with 0 when a line-based source (text, CSV, stdin) opens, then with each count of lines read. */
  lines?(source: string, count: number): void;
}

/** Options of one enqueue run that shape how sources are read. */
export interface SourceOptions {
  /** The CSV column holding the URL (matched case-insensitively); `url` by default. */
  urlColumn?: string | undefined;
  hooks?: SourceHooks;
}

// Room for the longest URL plus a CSV row's other columns.
const MAX_LINE_BYTES = 64 * 1024;

/** A text source: one URL a line; blank lines and `#` comments skipped. */
export async function* textItems(
  stream: Readable,
  source: string,
  hooks: SourceHooks = {},
): AsyncGenerator<Item> {
  hooks.lines?.(source, 0);
  for await (const raw of readLines(stream, MAX_LINE_BYTES)) {
    hooks.lines?.(source, 1);
    const origin = { source, line: raw.lineNo };
    if (raw.tooLong) {
      yield { kind: 'rejected', reason: `line longer than ${MAX_LINE_BYTES} bytes`, origin };
      continue;
    }
    const text = decodeUtf8(raw.bytes);
    if (text === undefined) {
      yield { kind: 'rejected', reason: 'invalid UTF-8', origin };
      continue;
    }
    const line = text.trim();
    if (line === '' || line.startsWith('#')) continue;
    const check = checkUrl(line);
    yield check.ok
      ? { kind: 'url', url: check.url, metadata: null, origin }
      : { kind: 'rejected', reason: check.reason, origin };
  }
}

const DELIMITERS = [',', ';', '\t'] as const;

/**
 * The field separator of a CSV header line: whichever of `,` `;` and tab occurs most outside
 * quotes (`,` on a tie or when there is none). Spreadsheets in much of Europe export `;`.
 */
export function detectDelimiter(header: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** A header name as written, without a byte-order mark or surrounding spaces. */
function headerName(h: string): string {
  return h.replace(/^\uFEFF/, '').trim();
}

/**
 * Reads the stream's first line to pick the delimiter, then hands the whole stream on,
 * counting lines as they pass (for progress and for "no media URLs in N lines").
 */
async function sniffCsv(stream: Readable, source: string, hooks: SourceHooks) {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const buf = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    head.push(buf);
    size += buf.length;
    if (buf.includes(0x0a) || size > MAX_LINE_BYTES) break;
  }
  const first = Buffer.concat(head, size);
  const nl = first.indexOf(0x0a);
  const delimiter = detectDelimiter(first.subarray(0, nl === -1 ? first.length : nl).toString('utf8'));
  hooks.lines?.(source, 0);
  let last = 0x0a;
  const count = (buf: Buffer) => {
    let n = 0;
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n += 1;
    if (buf.length > 0) last = buf[buf.length - 1] ?? 0x0a;
    if (n > 0) hooks.lines?.(source, n);
    return buf;
  };
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      yield count(first);
      while (!ended) {
        const r = await it.next();
        if (r.done) break;
        yield count(typeof r.value === 'string' ? Buffer.from(r.value) : r.value);
      }
      // A last line without a newline is a line too.
      if (last !== 0x0a) hooks.lines?.(source, 1);
    } finally {
      // Stopped early (a missing column): release the file.
      if (!ended) await it.return?.();
    }
  }
  return { delimiter, chunks: chunks() };
}

/**
 * A CSV source (`,` `;` or tab, detected from the header line) with a header row holding a
 * URL column (`url` or `urlColumn`, matched case-insensitively after trimming); the other
 * columns become metadata. A `duration` column (seconds, `MM:SS` or `HH:MM:SS`, as a call
 * system or podcast host exports it) also sets the file's length, so the longest files are
 * submitted first; a value in another form only stays in the metadata.
 */
export async function* csvItems(
  stream: Readable,
  source: string,
  options: SourceOptions = {},
): AsyncGenerator<Item> {
  const wanted = headerName(options.urlColumn ?? 'url');
  const { delimiter, chunks } = await sniffCsv(stream, source, options.hooks ?? {});
  let names: string[] | undefined;
  const parser = Readable.from(chunks).pipe(
    parseCsv({
      bom: true,
      delimiter,
      columns: (header: string[]) => {
        names = header.map(headerName);
        return names;
      },
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      max_record_size: MAX_LINE_BYTES,
    }),
  );
  const skipped: Item[] = [];
  parser.on('skip', (err: Error & { lines?: number }) => {
    skipped.push({
      kind: 'rejected',
      reason: `malformed CSV: ${err.message}`,
      origin: { source, line: err.lines ?? 0 },
    });
  });
  let urlKey: string | undefined;
  // The column stating each file's length, or '' when the header has none.
  let durationKey: string | undefined;
  const findUrlKey = (): string => {
    const key = names?.find((n) => n.toLowerCase() === wanted.toLowerCase());
    if (key === undefined) {
      const found = names?.length ? `found: ${names.join(', ')}` : 'no header';
      const hint = options.urlColumn === undefined ? '; name the column with --url-column NAME' : '';
      throw new UsageError(`${source}: no "${wanted}" column in the CSV header (${found})${hint}`);
    }
    return key;
  };
  for await (const rec of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield* skipped.splice(0);
    urlKey ??= findUrlKey();
    const origin = { source, line: rec.info.lines };
    const { [urlKey]: url = '', ...rest } = rec.record;
    if (url.includes('\uFFFD')) {
      yield { kind: 'rejected', reason: 'invalid UTF-8', origin };
      continue;
    }
    if (url.trim() === '') {
      yield { kind: 'rejected', reason: 'empty url', origin };
      continue;
    }
    const check = checkUrl(url);
    if (!check.ok) {
      yield { kind: 'rejected', reason: check.reason, origin };
      continue;
    }
    durationKey ??= names?.find((n) => n.toLowerCase() === 'duration') ?? '';
    const duration = durationSeconds(durationKey === '' ? null : (rest[durationKey] ?? null));
    if (!duration.ok) {
      yield { kind: 'rejected', reason: duration.reason, origin };
      continue;
    }
    const metadata = Object.keys(rest).length ? rest : null;
    yield { kind: 'url', url: check.url, metadata, origin, durationS: duration.seconds };
  }
  yield* skipped.splice(0);
  // A header and no rows: still say the column is missing rather than "no media URLs".
  if (urlKey === undefined && names !== undefined) findUrlKey();
}

/**
 * Reads one SOURCE argument: `-` (stdin; CSV when `urlColumn` is given), an http(s) URL, a
 * local audio/video file or a folder of them (to upload), a CSV file (`.csv`, `.tsv`) or a
 * text file of URLs. Anything else is a usage error naming the argument.
 */
export async function* sourceItems(
  arg: string,
  index: number,
  stdin: Readable,
  options: SourceOptions = {},
): AsyncGenerator<Item> {
  if (arg === '-') {
    yield* options.urlColumn === undefined
      ? textItems(stdin, 'stdin', options.hooks)
      : csvItems(stdin, 'stdin', options);
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg)) {
    const check = checkUrl(arg);
    const origin = { source: `argument ${index}`, line: 1 };
    yield check.ok
      ? { kind: 'url', url: check.url, metadata: null, origin }
      : { kind: 'rejected', reason: check.reason, origin };
    return;
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(arg);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${arg}: ${code === 'ENOENT' ? 'no such file (and not an http(s) URL)' : `cannot read (${code})`}`,
    );
  }
  if (info.isDirectory()) {
    // A folder of recordings: every audio/video file in it, recursively, is uploaded.
    let count = 0;
    for await (const path of walk(arg)) {
      count += 1;
      const origin = { source: path, line: 0 };
      yield isMediaPath(path)
        ? { kind: 'local', path, origin }
        : { kind: 'rejected', reason: 'not an audio or video file (by its extension)', origin };
    }
    if (count === 0) throw new UsageError(`${arg}: the folder holds no files`);
    return;
  }
  if (isMediaPath(arg)) {
    yield { kind: 'local', path: arg, origin: { source: arg, line: 0 } };
    return;
  }
  const stream = createReadStream(arg, { highWaterMark: 256 * 1024 });
  yield* /\.(csv|tsv)$/i.test(arg) ? csvItems(stream, arg, options) : textItems(stream, arg, options.hooks);
}

export { MAX_URL_LENGTH };
