import type { RawEnclosure, RawItem } from './feed-parse.ts';
import { parseDuration, parseFeedDate } from './feed-values.ts';
import type { Origin } from './sources.ts';
import { checkUrl } from './validate.ts';

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

/** One feed item: an episode, or the reason it cannot be one (same shape as a rejected `Item`). */
export type FeedRecord = FeedEpisode | { kind: 'rejected'; reason: string; origin: Origin };

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
    const reject = (reason: string): FeedRecord => ({ kind: 'rejected', reason, origin });
    if (item.guid !== null) {
      if (this.guids.has(item.guid)) return reject('duplicate guid');
      this.guids.add(item.guid);
    }
    const enclosure = item.enclosures.find((e) => isMedia(e.type));
    if (!enclosure) {
      const other = item.enclosures.find((e) => e.type !== null);
      return reject(other ? `enclosure type ${other.type} is not audio or video` : 'no audio enclosure');
    }
    if (enclosure.url === null) return reject('enclosure without a URL');
    const check = checkUrl(enclosure.url);
    if (!check.ok) return reject(check.reason);
    return {
      kind: 'episode',
      url: check.url,
      title: item.title ?? item.itunesTitle,
      guid: item.guid,
      publishedAt: parseFeedDate(item.published) ?? parseFeedDate(item.updated),
      durationS: parseDuration(item.duration),
      feedTitle,
      feedUrl: this.feedUrl,
      enclosureType: enclosure.type,
      origin,
    };
  }
}

// No type at all is common and usually audio; a stated type must be audio/* or video/*.
function isMedia(type: RawEnclosure['type']): boolean {
  return type === null || /^(audio|video)\//i.test(type);
}
