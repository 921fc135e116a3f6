import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { FatalError, toError, UsageError } from '@mediatag/errors';
import { Agent, type Dispatcher, request } from 'undici';
import { type AddressCheck, ForbiddenAddressError, forbiddenAddress, guardedLookup } from './feed-address.ts';
import { checkUrl } from './validate.ts';

/** How to read a feed: a size cap (required) and, for URLs, time and redirect limits. */
export interface FeedOptions {
  /** Bytes read before giving up; a feed that never ends stops here. */
  maxBytes: number;
  /** Idle limit for the response headers and between body chunks; default 30 s. */
  timeoutMs?: number | undefined;
  /** Redirects followed (each hop must be http or https); default 5. */
  maxRedirects?: number | undefined;
  /**
   * Fetch from loopback, link-local, private, unique-local and CGNAT addresses too (an
   * intranet feed server). Off by default: a feed URL must not reach the machine or its LAN.
   */
  allowPrivateHosts?: boolean | undefined;
  /** Which resolved addresses are refused; replaces the default policy (tests stand in a public host). */
  checkAddress?: AddressCheck | undefined;
  /**
   * undici dispatcher for the requests; tests pass a MockAgent. Without one, each feed gets an
   * Agent whose DNS lookup enforces the address policy; a given dispatcher must do that itself
   * (IP-literal hosts are checked either way).
   */
  dispatcher?: Dispatcher | undefined;
  /**
   * Validators from the last fetch: sent as If-None-Match / If-Modified-Since, so an
   * unchanged feed answers 304 with no body.
   */
  conditional?: { etag: string | null; lastModified: string | null } | undefined;
}

/** An opened feed: where it finally came from, and its bytes, read lazily under the cap. */
export interface FeedBytes {
  /** The canonical source: the URL after redirects, or the absolute file path. */
  feedUrl: string;
  chunks: AsyncIterable<Uint8Array>;
  /** 304 to a conditional request: nothing changed, `chunks` is empty. */
  notModified?: boolean;
  /** The response's validators, to send next time. */
  etag?: string | null;
  lastModified?: string | null;
  /**
   * Where the feed now lives when every redirect was permanent (301/308): the URL to store.
   * A temporary redirect (302/303/307) anywhere on the way keeps the URL as asked.
   */
  permanentUrl?: string | null;
}

/** A feed server answered an error status; `retryAfterMs` is its Retry-After, when sent. */
export class FeedHttpError extends UsageError {
  readonly code = 'ERR_FEED_HTTP';

  constructor(
    message: string,
    readonly statusCode: number,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Big enough that a local file is read in few steps, small enough that a cap overshoots little.
const FILE_CHUNK_BYTES = 64 * 1024;

/** Opens an http(s) URL (following redirects itself) or a local file, capped at `maxBytes`. */
export async function openFeed(source: string, options: FeedOptions): Promise<FeedBytes> {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes <= 0) {
    throw new RangeError(`maxBytes must be a positive integer, got ${options.maxBytes}`);
  }
  // Same test as the other sources: a scheme, but not a Windows drive letter.
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) {
    const check = checkUrl(source);
    if (!check.ok) throw new UsageError(`feed ${source}: ${check.reason}`);
    return fetchFeed(source, check.url, options);
  }
  return openFile(source, options);
}

async function fetchFeed(source: string, url: string, options: FeedOptions): Promise<FeedBytes> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const check = options.checkAddress ?? (options.allowPrivateHosts ? () => null : forbiddenAddress);
  // One Agent per feed: its lookup checks every address of every hop before connecting.
  const agent = options.dispatcher ? undefined : new Agent({ connect: { lookup: guardedLookup(check) } });
  const dispatcher = options.dispatcher ?? agent;
  try {
    let current = url;
    let permanent = true;
    for (let redirects = 0; ; redirects += 1) {
      checkLiteralHost(source, current, check);
      const res = await get(source, current, timeoutMs, dispatcher, options.conditional);
      if (REDIRECTS.has(res.statusCode)) {
        discard(res.body);
        if (redirects >= maxRedirects)
          throw new UsageError(`feed ${source}: more than ${maxRedirects} redirects`);
        permanent &&= res.statusCode === 301 || res.statusCode === 308;
        current = nextHop(source, current, first(res.headers.location));
        continue;
      }
      const permanentUrl = permanent && current !== url ? current : null;
      if (res.statusCode === 304 && options.conditional) {
        discard(res.body);
        await agent?.destroy();
        return {
          feedUrl: current,
          chunks: (async function* () {})(),
          notModified: true,
          etag: first(res.headers.etag) ?? options.conditional.etag,
          lastModified: first(res.headers['last-modified']) ?? options.conditional.lastModified,
          permanentUrl,
        };
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        discard(res.body);
        throw new FeedHttpError(
          `feed ${current}: HTTP ${res.statusCode}`,
          res.statusCode,
          retryAfterMs(first(res.headers['retry-after'])),
        );
      }
      if (Number(first(res.headers['content-length'])) > options.maxBytes) {
        discard(res.body);
        throw tooLarge(source, options.maxBytes);
      }
      const failed = (error: unknown, bytes: number) => interrupted(current, error, timeoutMs, bytes);
      const done = async () => agent?.destroy();
      return {
        feedUrl: current,
        chunks: capBytes(res.body, source, options.maxBytes, failed, done),
        notModified: false,
        etag: first(res.headers.etag) ?? null,
        lastModified: first(res.headers['last-modified']) ?? null,
        permanentUrl,
      };
    }
  } catch (error) {
    await agent?.destroy();
    throw error;
  }
}

/**
 * Drops a body that will not be read. undici's body emits an `aborted` error when destroyed
 * unread; without a listener that error is uncaught and kills the process, so listen first.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

// An IP-literal host is connected to without a lookup, so the guarded lookup never sees it.
function checkLiteralHost(source: string, url: string, check: AddressCheck): void {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) === 0) return;
  const reason = check(host);
  if (reason !== null) throw refused(source, url, new ForbiddenAddressError(host, host, reason));
}

function refused(source: string, url: string, error: ForbiddenAddressError): UsageError {
  const hop = url === source ? '' : ` (redirected to ${url})`;
  return new UsageError(
    `feed ${source}${hop}: refused: ${error.message}; pass --allow-private-hosts to read feeds from private networks`,
  );
}

async function get(
  source: string,
  url: string,
  timeoutMs: number,
  dispatcher: Dispatcher | undefined,
  conditional: FeedOptions['conditional'],
) {
  try {
    return await request(url, {
      method: 'GET',
      headers: {
        accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
        'user-agent': 'mediatag (podcast feed reader)',
        ...(conditional?.etag ? { 'if-none-match': conditional.etag } : {}),
        ...(conditional?.lastModified ? { 'if-modified-since': conditional.lastModified } : {}),
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (error) {
    const forbidden = findForbidden(error);
    if (forbidden) throw refused(source, url, forbidden);
    throw unreachable(url, error, timeoutMs);
  }
}

// undici passes connect errors through, but look down the cause chain in case a layer wraps it.
function findForbidden(error: unknown): ForbiddenAddressError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (e instanceof ForbiddenAddressError) return e;
  }
  return undefined;
}

function nextHop(source: string, from: string, location: string | undefined): string {
  if (!location) throw new UsageError(`feed ${source}: ${from} redirects without a Location header`);
  let target: string;
  try {
    target = new URL(location, from).href;
  } catch {
    throw new UsageError(`feed ${source}: ${from} redirects to an invalid URL "${location}"`);
  }
  const check = checkUrl(target);
  if (!check.ok) throw new UsageError(`feed ${source}: refused redirect to ${target}: ${check.reason}`);
  return check.url;
}

async function openFile(source: string, options: FeedOptions): Promise<FeedBytes> {
  const path = resolve(source);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw cannotRead(source, error);
  }
  if (info.isDirectory()) throw new UsageError(`feed ${source}: is a folder, not a feed file`);
  // Checked up front for regular files; the running count below still covers pipes and devices.
  if (info.isFile() && info.size > options.maxBytes) throw tooLarge(source, options.maxBytes);
  const stream = createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES });
  const failed = (error: unknown) => cannotRead(source, error);
  return { feedUrl: path, chunks: capBytes(stream, source, options.maxBytes, failed) };
}

/**
 * Passes chunks through until more than `maxBytes` arrived. Throwing out of the loop makes
 * for-await destroy the stream, which closes the file or aborts the response.
 */
async function* capBytes(
  stream: AsyncIterable<Uint8Array>,
  source: string,
  maxBytes: number,
  failed: (error: unknown, bytes: number) => Error,
  done?: () => Promise<void>,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge(source, maxBytes);
      yield chunk;
    }
  } catch (error) {
    throw error instanceof UsageError ? error : failed(error, total);
  } finally {
    await done?.();
  }
}

function tooLarge(source: string, maxBytes: number): UsageError {
  return new UsageError(`feed ${source} is larger than ${maxBytes} bytes`);
}

function cannotRead(source: string, error: unknown): UsageError {
  const code = (toError(error) as NodeJS.ErrnoException).code;
  return new UsageError(
    code === 'ENOENT'
      ? `feed ${source}: no such file (and not an http(s) URL)`
      : `feed ${source}: cannot read (${code ?? toError(error).message})`,
  );
}

// The network failing is a runtime failure (exit 1), not bad input: the same command may work later.
function unreachable(url: string, error: unknown, timeoutMs: number): FatalError {
  const e = toError(error);
  const code = (e as { code?: unknown }).code;
  const timedOut = typeof code === 'string' && code.startsWith('UND_ERR_') && code.endsWith('_TIMEOUT');
  const reason = timedOut ? `no answer within ${timeoutMs} ms` : e.message;
  return new FatalError(`feed ${url}: ${reason}`, { cause: e });
}

// The body stopping half-way (a timeout, the server closing the connection) is a network
// failure too; the byte count tells the user it was not the start that failed.
function interrupted(url: string, error: unknown, timeoutMs: number, bytes: number): FatalError {
  const e = toError(error);
  const code = (e as { code?: unknown }).code;
  const reason =
    typeof code === 'string' && code.endsWith('_TIMEOUT')
      ? `no data for ${timeoutMs} ms`
      : code === 'UND_ERR_SOCKET' || code === 'ECONNRESET'
        ? 'the server closed the connection'
        : e.message;
  return new FatalError(`feed ${url}: download stopped after ${bytes} bytes: ${reason}`, { cause: e });
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
