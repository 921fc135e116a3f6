import type { RawEnclosure, RawItem } from './feed-parse.ts';
import { durationSeconds, parseFeedDate } from './feed-values.ts';
import type { Origin } from './sources.ts';
import { checkUrl, type UrlCheck } from './validate.ts';
import { MEDIA_EXTENSIONS } from './walk.ts';

/** A feed item with a usable audio or video enclosure. */
export interface FeedEpisode {
  kind: 'episode';
  /** The enclosure URL in canonical form (as checkUrl returns it). */
  url: string;
  title: string | null;
  guid: string | null;
  publishedAt: Date | null;
  durationS: number | null;
  feedTitle: string | null;
  /** The final URL after redirects, or the absolute file path. */
  feedUrl: string;
  enclosureType: string | null;
  /** `line` is the item's 1-based position in the feed. */
  origin: Origin;
}

/** One feed item: an episode, or the reason it cannot be one (same shape as a rejected `Item`, plus its guid). */
export type FeedRecord =
  | FeedEpisode
  | { kind: 'rejected'; reason: string; guid: string | null; origin: Origin };

/** Turns raw items into records, remembering guids so a repeated one is rejected. */
export class EpisodeBuilder {
  // One entry per item with a guid: the only state that grows with the feed.
  private readonly guids = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly feedUrl: string,
  ) {}

  /** The record for one item; `feedTitle` is the channel title as read so far. */
  build(item: RawItem, feedTitle: string | null): FeedRecord {
    const origin = { source: this.source, line: item.index };
    const reject = (reason: string): FeedRecord => ({ kind: 'rejected', reason, guid: item.guid, origin });
    if (item.guid !== null) {
      if (this.guids.has(item.guid)) return reject('duplicate guid');
      this.guids.add(item.guid);
    }
    // <enclosure> first; Media RSS only when no enclosure is audio or video.
    const enclosure = pick(item.enclosures) ?? pick(item.mediaContents);
    if (!enclosure) return reject(noMedia(item));
    if (enclosure.url === null) return reject('enclosure without a URL');
    const check = resolveUrl(enclosure.url, enclosure.base);
    if (!check.ok) return reject(check.reason);
    const duration = durationSeconds(item.duration ?? enclosure.duration ?? null);
    if (!duration.ok) return reject(duration.reason);
    return {
      kind: 'episode',
      url: check.url,
      title: item.title ?? item.itunesTitle,
      guid: item.guid,
      publishedAt: parseFeedDate(item.published) ?? parseFeedDate(item.updated),
      durationS: duration.seconds,
      feedTitle,
      feedUrl: this.feedUrl,
      enclosureType: enclosure.type,
      origin,
    };
  }
}

// Extensions of media files as seen in enclosure URLs; the local-file list plus a few that
// only show up on the web.
const MEDIA_URL_EXTENSIONS = new Set([...MEDIA_EXTENSIONS, '.m4b', '.mpga', '.mp2', '.weba', '.spx', '.oga']);
// Types that say nothing about the content: servers send them for any download.
const GENERIC_TYPES = /^(application|binary)\/octet-stream\b/i;
// audio/*, video/*, and the pre-standard x-audio/*, x-video/* (audio/x-* is audio/* already).
const MEDIA_TYPES = /^(x-)?(audio|video)\//i;

/**
 * How sure we are that an enclosure is audio or video: 3 by its type or Media RSS medium,
 * 2 by the URL's extension when the type is missing or generic, 1 untyped with no telling
 * extension (usually audio, so still taken), 0 not media.
 */
function mediaRank(e: RawEnclosure): number {
  if (e.type !== null && MEDIA_TYPES.test(e.type)) return 3;
  const medium = e.medium?.toLowerCase();
  if (e.type === null && (medium === 'audio' || medium === 'video')) return 3;
  if (e.type !== null && !GENERIC_TYPES.test(e.type)) return 0;
  if (medium !== undefined && medium !== null && medium !== 'audio' && medium !== 'video') return 0;
  if (e.url !== null && MEDIA_URL_EXTENSIONS.has(urlExtension(e.url))) return 2;
  return e.type === null ? 1 : 0;
}

function pick(enclosures: RawEnclosure[]): RawEnclosure | undefined {
  let best: RawEnclosure | undefined;
  let bestRank = 0;
  for (const e of enclosures) {
    const rank = mediaRank(e);
    if (rank > bestRank) [best, bestRank] = [e, rank];
  }
  return best;
}

function noMedia(item: RawItem): string {
  const all = [...item.enclosures, ...item.mediaContents];
  const typed = all.find((e) => e.type !== null);
  if (typed && GENERIC_TYPES.test(typed.type ?? ''))
    return `enclosure type ${typed.type} and no audio or video extension in its URL`;
  if (typed) return `enclosure type ${typed.type} is not audio or video`;
  const medium = all.find((e) => e.medium);
  if (medium) return `media:content medium ${medium.medium} is not audio or video`;
  return item.dialect === 'rdf'
    ? 'no audio enclosure (an RSS 1.0 item without enc:enclosure or <enclosure>)'
    : 'no audio enclosure';
}

/** The lower-cased extension of a URL's path (`.mp3`), ignoring query and fragment. */
function urlExtension(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  return /(\.[a-z0-9]{1,5})$/i.exec(path)?.[1]?.toLowerCase() ?? '';
}

/**
 * An enclosure URL made absolute against its base (xml:base, else the feed's URL), then
 * checked. A local file is not a base: a relative URL there has nothing to resolve against.
 */
function resolveUrl(url: string, base: string | null): UrlCheck {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return checkUrl(url);
  if (base === null) {
    return {
      ok: false,
      reason: `relative enclosure URL "${url}" and no base URL to resolve it against (a local feed file has none: use absolute URLs or xml:base)`,
    };
  }
  try {
    return checkUrl(new URL(url, base).href);
  } catch {
    return { ok: false, reason: `enclosure URL "${url}" cannot be resolved against ${base}` };
  }
}
