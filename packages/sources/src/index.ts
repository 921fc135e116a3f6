export {
  type FeedEpisode,
  type FeedOptions,
  type FeedRecord,
  feedEpisodes,
  type OpenedFeed,
  openEpisodes,
} from './feed.ts';
export type { AddressCheck } from './feed-address.ts';
export { FeedHttpError } from './feed-fetch.ts';
export { decodeUtf8, type RawLine, readLines } from './lines.ts';
export { type S3Item, type S3ListOptions, type S3Totals, s3Items, s3Totals } from './s3.ts';
export { compileKeyPattern, type KeyMatcher, parseSince } from './s3-options.ts';
export {
  csvItems,
  detectDelimiter,
  type Item,
  type Origin,
  type SourceHooks,
  type SourceOptions,
  sourceItems,
  textItems,
} from './sources.ts';
export { checkUrl, MAX_URL_LENGTH, type UrlCheck } from './validate.ts';
export { isMediaPath, MEDIA_EXTENSIONS, walk } from './walk.ts';
