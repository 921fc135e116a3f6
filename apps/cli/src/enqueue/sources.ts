import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from '@mediatag/errors';
import { parse as parseCsv } from 'csv-parse';
import { decodeUtf8, readLines } from './lines.ts';
import { isMediaPath, walk } from './local.ts';
import { checkUrl, MAX_URL_LENGTH } from './validate.ts';

/** Where a record came from, for messages: `calls.txt:12`, `stdin:3`, `argument 2`. */
export interface Origin {
  source: string;
  line: number;
}

/** One item read from a source: a valid URL (with optional metadata) or a rejection. */
export type Item =
  | { kind: 'url'; url: string; metadata: Record<string, string> | null; origin: Origin }
  | { kind: 'local'; path: string; origin: Origin }
  | { kind: 'rejected'; reason: string; origin: Origin };

// Room for the longest URL plus a CSV row's other columns.
const MAX_LINE_BYTES = 64 * 1024;

/** A text source: one URL a line; blank lines and `#` comments skipped. */
export async function* textItems(stream: Readable, source: string): AsyncGenerator<Item> {
  for await (const raw of readLines(stream, MAX_LINE_BYTES)) {
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

/** A CSV source with a header row holding a `url` column; the other columns become metadata. */
export async function* csvItems(stream: Readable, source: string): AsyncGenerator<Item> {
  const parser = stream.pipe(
    parseCsv({
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim()),
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
  let checkedHeader = false;
  for await (const rec of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    yield* skipped.splice(0);
    if (!checkedHeader) {
      checkedHeader = true;
      if (!('url' in rec.record)) throw new UsageError(`${source}: no "url" column in the CSV header`);
    }
    const origin = { source, line: rec.info.lines };
    const { url = '', ...rest } = rec.record;
    if (url.includes('\uFFFD')) {
      yield { kind: 'rejected', reason: 'invalid UTF-8', origin };
      continue;
    }
    if (url.trim() === '') {
      yield { kind: 'rejected', reason: 'empty url', origin };
      continue;
    }
    const check = checkUrl(url);
    yield check.ok
      ? { kind: 'url', url: check.url, metadata: Object.keys(rest).length ? rest : null, origin }
      : { kind: 'rejected', reason: check.reason, origin };
  }
  yield* skipped.splice(0);
}

/**
 * Reads one SOURCE argument: `-` (stdin), an http(s) URL, a local audio/video file or a
 * folder of them (to upload), a CSV file (`.csv`) or a text file of URLs. Anything else is
 * a usage error naming the argument.
 */
export async function* sourceItems(arg: string, index: number, stdin: Readable): AsyncGenerator<Item> {
  if (arg === '-') {
    yield* textItems(stdin, 'stdin');
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
  yield* arg.toLowerCase().endsWith('.csv') ? csvItems(stream, arg) : textItems(stream, arg);
}

export { MAX_URL_LENGTH };
