import { decodeXml } from './feed-decode.ts';
import { type FeedBytes, type FeedOptions, openFeed } from './feed-fetch.ts';
import { FeedParser } from './feed-parse.ts';
import { EpisodeBuilder, type FeedRecord } from './feed-record.ts';

export type { FeedOptions } from './feed-fetch.ts';
export type { FeedEpisode, FeedRecord } from './feed-record.ts';

/**
 * Reads a podcast feed (RSS 2.0, Atom or RSS 1.0, with iTunes and Media RSS tags) from an http(s) URL or a local
 * file and yields one record per item as soon as the item closes. The document is parsed
 * as it streams in, so memory stays flat whatever its size; more than `maxBytes`, a failed
 * fetch, broken XML or a document that is not a feed throw (UsageError, or FatalError when
 * the network fails). Stopping the iteration early aborts the download.
 */
export async function* feedEpisodes(source: string, options: FeedOptions): AsyncGenerator<FeedRecord> {
  yield* (await openEpisodes(source, options)).records;
}

/** An opened feed: the response's details, and its records as they are parsed. */
export interface OpenedFeed extends Omit<FeedBytes, 'chunks'> {
  records: AsyncGenerator<FeedRecord>;
  /** The channel title as read so far (complete once `records` is done). */
  feedTitle(): string | null;
  /** `<itunes:new-feed-url>`, once `records` is done. */
  newFeedUrl(): string | null;
}

/**
 * Like `feedEpisodes`, but also says how the fetch went (304, validators, a permanent move);
 * `identity` replaces the feed URL stored with each episode (a watched feed keeps the URL it
 * was subscribed under, so a host move does not make its episodes new).
 */
export async function openEpisodes(
  source: string,
  options: FeedOptions,
  identity?: string,
): Promise<OpenedFeed> {
  const { chunks, ...meta } = await openFeed(source, options);
  const { feedUrl } = meta;
  // Relative enclosure URLs resolve against where the feed was fetched from; a path is no base.
  const parser = new FeedParser(source, /^https?:\/\//i.test(feedUrl) ? feedUrl : null);
  const builder = new EpisodeBuilder(source, identity ?? feedUrl);
  async function* records(): AsyncGenerator<FeedRecord> {
    for await (const text of decodeXml(chunks, source)) {
      parser.write(text);
      for (const item of parser.take()) yield builder.build(item, parser.feedTitle);
    }
    if (meta.notModified) return;
    parser.end();
    for (const item of parser.take()) yield builder.build(item, parser.feedTitle);
  }
  return {
    ...meta,
    records: records(),
    feedTitle: () => parser.feedTitle,
    newFeedUrl: () => parser.newFeedUrl,
  };
}
