-- 0004_batched_tagging: the text tagging needs, and tag requests that carry several files.
-- Why: AssemblyAI's LLM Gateway allows 30 requests per minute per model while 200
-- transcription slots finish about 300 files a minute. One request per file made tagging ten
-- times slower than transcription. A request now tags up to TAG_BATCH_SIZE files of one tag
-- list, each by a representative excerpt kept here when its transcript completes; the files of
-- one request are claimed in Postgres with a lease, so a crash re-asks at most that request.

-- One row per transcribed file whose text was kept (STORE_TRANSCRIPTS=excerpt|full; none
-- keeps nothing at rest). Words are never stored. Kept apart from media_files so the hot
-- row of the pipeline stays narrow.
CREATE TABLE transcript_texts (
  media_file_id  bigint PRIMARY KEY REFERENCES media_files (id) ON DELETE CASCADE,
  -- The tagging excerpt: the beginning plus evenly spaced windows, within TAG_EXCERPT_TOKENS.
  excerpt        text NOT NULL,
  excerpt_tokens integer NOT NULL,
  -- The whole text, only with STORE_TRANSCRIPTS=full.
  full_text      text,
  -- Estimated tokens of the whole transcript (about 4 characters a token).
  full_tokens    integer NOT NULL,
  -- What a user searches: the full text when kept, else the excerpt.
  search         tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(full_text, excerpt))) STORED,
  created_at     timestamptz NOT NULL DEFAULT now()
);
-- `WHERE search @@ websearch_to_tsquery('english', 'refund')` uses this index.
CREATE INDEX transcript_texts_search_idx ON transcript_texts USING gin (search);

ALTER TABLE tag_results
  -- The gateway request that answered (its request_id), and how many files it carried.
  ADD COLUMN request_id   text,
  ADD COLUMN batch_size   integer,
  -- A file leased to one tag request until this time; an expired lease is a crashed request's.
  ADD COLUMN lease_until  timestamptz,
  -- The batched answer for this file failed validation: ask for it alone (one file per request).
  ADD COLUMN solo         boolean NOT NULL DEFAULT false;

-- The claim of a batch: the oldest files waiting for a topic from one taxonomy.
CREATE INDEX tag_results_ready_idx ON tag_results (taxonomy_id, created_at) WHERE status = 'pending';
