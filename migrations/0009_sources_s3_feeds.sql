-- 0009_sources_s3_feeds: recordings in private S3 buckets, and podcast feeds kept in sync.
-- Why: call centres keep a day of recordings under one bucket prefix; those objects are only
-- readable through presigned URLs, which expire, so a file is stored by its identity
-- (`s3://bucket/key#etag`) and signed by the worker at submission, never at enqueue. The
-- ETag is part of the identity: the same object enqueued again is already known, an object
-- rewritten under the same key is new audio and a new file. And `mediatag watch` keeps feeds
-- in Postgres (validators, errors, the URL after a host move) so status and SQL list them.

ALTER TABLE media_files DROP CONSTRAINT media_files_source_check;
ALTER TABLE media_files ADD CONSTRAINT media_files_source_check
  CHECK (source IN ('url', 'rss', 'upload', 's3'));

ALTER TABLE media_files
  -- The object's ETag, for SQL ("which version of this key was transcribed"); derived from the
  -- identity so no writer can make the two disagree.
  ADD COLUMN etag text GENERATED ALWAYS AS (
    CASE WHEN source = 's3' THEN substring(url FROM '#([^#]*)$') END) STORED,
  -- Times a transcript that failed to download its presigned URL was signed and submitted
  -- again automatically (at most once; the failed id goes to failed_transcript_ids).
  ADD COLUMN download_retries integer NOT NULL DEFAULT 0;

-- One row per feed a batch watches. `url` follows the feed when it moves (a permanent
-- redirect or <itunes:new-feed-url>); `key_url` is the URL it was first subscribed under and
-- stays the feed's identity in batch_files.feed_url, so a move never re-adds (and re-pays
-- for) the archive: an episode is known by (batch, key_url, guid).
CREATE TABLE feeds (
  id                    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  batch_id              integer NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  url                   text NOT NULL,
  key_url               text NOT NULL,
  -- Every URL the feed was known by (the user's crontab may still name an old one).
  aliases               text[] NOT NULL DEFAULT '{}',
  title                 text,
  -- Conditional-request validators from the last 200: an unchanged feed costs one 304.
  etag                  text,
  last_modified         text,
  last_fetched_at       timestamptz,
  last_status           integer,
  last_error            text,
  items_seen            integer NOT NULL DEFAULT 0,
  episodes_added        integer NOT NULL DEFAULT 0,
  not_modified_count    integer NOT NULL DEFAULT 0,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  -- First failure of the current run of failures; a day of them marks the feed as dead.
  failing_since         timestamptz,
  -- Not fetched before this (Retry-After, backoff after failures).
  next_fetch_at         timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (batch_id, key_url)
);
CREATE INDEX feeds_failing_idx ON feeds (failing_since) WHERE failing_since IS NOT NULL;
