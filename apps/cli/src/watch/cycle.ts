import {
  type Db,
  type FeedRow,
  moveFeed,
  recordFailure,
  recordFetched,
  recordNotModified,
} from '@mediatag/db';
import { toError } from '@mediatag/errors';
import { checkUrl, FeedHttpError, openEpisodes } from '@mediatag/sources';
import { type BatchWriter, episodeFields } from '../enqueue/writer.ts';

/** What one cycle needs besides the feeds. */
export interface CycleDeps {
  db: Db;
  writer: BatchWriter;
  maxBytes: number;
  allowPrivateHosts: boolean;
  /** A line for the user. */
  say(line: string): void;
  /** Per host: no request before this time (a 429 or 5xx from it), kept across cycles. */
  hostWait: Map<string, number>;
  now?: () => number;
}

/** What one cycle did. */
export interface CycleTotals {
  fetched: number;
  notModified: number;
  failed: number;
  waiting: number;
  added: number;
  moved: number;
}

const DAY_MS = 24 * 3600_000;
// A failing feed is tried again after 1, 2, 4 … minutes, at most every 6 hours; once it has
// failed every time for a day, once a day.
const FIRST_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 6 * 3600_000;

/** Fetches each feed that is due and adds its new episodes; one feed failing never stops the others. */
export async function runCycle(deps: CycleDeps, feeds: FeedRow[]): Promise<CycleTotals> {
  const totals: CycleTotals = { fetched: 0, notModified: 0, failed: 0, waiting: 0, added: 0, moved: 0 };
  const now = deps.now ?? Date.now;
  for (const feed of feeds) {
    const host = hostOf(feed.url);
    const wait = Math.max(feed.nextFetchAt?.getTime() ?? 0, deps.hostWait.get(host) ?? 0);
    if (wait > now()) {
      totals.waiting += 1;
      continue;
    }
    try {
      await fetchOne(deps, feed, totals);
    } catch (error) {
      totals.failed += 1;
      await failed(deps, feed, error, now());
    }
  }
  return totals;
}

async function fetchOne(deps: CycleDeps, feed: FeedRow, totals: CycleTotals): Promise<void> {
  const options = { maxBytes: deps.maxBytes, allowPrivateHosts: deps.allowPrivateHosts };
  let url = feed.url;
  let conditional: { etag: string | null; lastModified: string | null } | undefined = {
    etag: feed.etag,
    lastModified: feed.lastModified,
  };
  // At most one hop by <itunes:new-feed-url> per cycle: a feed pointing back and forth stops.
  for (let hop = 0; ; hop += 1) {
    const opened = await openEpisodes(url, { ...options, conditional }, feed.keyUrl);
    if (opened.permanentUrl && opened.permanentUrl !== url) {
      deps.say(`feed ${url} moved permanently to ${opened.permanentUrl}: fetching it there from now on`);
      await moveFeed(deps.db, feed.id, opened.permanentUrl);
      totals.moved += 1;
      url = opened.permanentUrl;
    }
    if (opened.notModified) {
      totals.notModified += 1;
      await recordNotModified(deps.db, feed.id);
      return;
    }
    const before = deps.writer.totals.added;
    let items = 0;
    for await (const rec of opened.records) {
      items += 1;
      if (rec.kind === 'rejected') {
        deps.say(
          `rejected ${url}: item ${rec.origin.line}${rec.guid === null ? '' : ` (${rec.guid})`}: ${rec.reason}`,
        );
        continue;
      }
      await deps.writer.add(rec.url, episodeFields(rec, feed.keyUrl));
    }
    await deps.writer.flush();
    const added = deps.writer.totals.added - before;
    // A feed read twice in one cycle (at its old and new home) counts once.
    if (hop === 0) totals.fetched += 1;
    totals.added += added;
    await recordFetched(deps.db, feed.id, {
      etag: opened.etag ?? null,
      lastModified: opened.lastModified ?? null,
      title: opened.feedTitle(),
      items,
      added,
    });
    const next = newFeedUrl(opened.newFeedUrl(), url);
    if (next === null || hop >= 1) return;
    deps.say(`feed ${url} says it moved to ${next} (itunes:new-feed-url): fetching it there from now on`);
    await moveFeed(deps.db, feed.id, next);
    totals.moved += 1;
    url = next;
    conditional = undefined;
  }
}

function newFeedUrl(value: string | null, current: string): string | null {
  if (value === null) return null;
  const check = checkUrl(value);
  return check.ok && check.url !== current ? check.url : null;
}

async function failed(deps: CycleDeps, feed: FeedRow, error: unknown, now: number): Promise<void> {
  const e = toError(error);
  const status = e instanceof FeedHttpError ? e.statusCode : null;
  const overloaded = status === 429 || (status !== null && status >= 500);
  const failures = feed.consecutiveFailures + 1;
  const dead = feed.failingSince !== null && now - feed.failingSince.getTime() >= DAY_MS;
  const backoff = dead ? DAY_MS : Math.min(FIRST_BACKOFF_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);
  const retryAfter = e instanceof FeedHttpError ? (e.retryAfterMs ?? 0) : 0;
  const nextFetchAt = new Date(now + Math.max(backoff, retryAfter));
  if (overloaded) {
    // The host said it is overloaded: none of its feeds is asked before it may answer again.
    const host = hostOf(feed.url);
    deps.hostWait.set(
      host,
      Math.max(deps.hostWait.get(host) ?? 0, now + Math.max(retryAfter, FIRST_BACKOFF_MS)),
    );
  }
  const message = e.message.split('\n')[0] ?? e.message;
  const stored = await recordFailure(deps.db, feed.id, { status, error: message, nextFetchAt });
  const name = feed.title ? `${feed.url} (${feed.title})` : feed.url;
  if (dead) {
    deps.say(
      `feed ${name} has failed every fetch since ${stored.failingSince.toISOString()} (${stored.failures} times): ${message}; trying it once a day`,
    );
  } else {
    deps.say(`feed ${name} failed: ${message}; next try after ${nextFetchAt.toISOString()}`);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
