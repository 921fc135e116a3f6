-- 0003_sources_and_cost: podcast feeds, local uploads, and what a batch cost.
-- Why: feed items carry title/guid/date/duration users filter on in SQL ("topics of 2024
-- episodes"); a local file is identified by its content hash so the same recording is
-- uploaded and paid for once; and the cost of each transcript and each tag call is stored
-- at the time it is incurred, so SQL can sum it per batch.

ALTER TABLE media_files
  ADD COLUMN source        text NOT NULL DEFAULT 'url' CHECK (source IN ('url', 'rss', 'upload')),
  -- Local uploads: where the file was read from and its sha256; `url` is then the
  -- AssemblyAI upload_url (only AssemblyAI can read it).
  ADD COLUMN local_path    text,
  ADD COLUMN content_hash  text,
  -- Estimated transcription cost in USD at the configured price per audio hour.
  ADD COLUMN cost_usd      numeric(12, 6);
CREATE UNIQUE INDEX media_files_content_hash_idx ON media_files (content_hash) WHERE content_hash IS NOT NULL;

ALTER TABLE batch_files
  ADD COLUMN title               text,
  ADD COLUMN guid                text,
  ADD COLUMN published_at        timestamptz,
  ADD COLUMN episode_duration_s  integer,
  ADD COLUMN feed_title          text,
  ADD COLUMN feed_url            text;
-- Re-running a feed adds only new episodes: an item already in the batch (same feed, same
-- guid) is skipped even when its enclosure URL changed.
CREATE UNIQUE INDEX batch_files_feed_guid_idx ON batch_files (batch_id, feed_url, guid)
  WHERE guid IS NOT NULL AND feed_url IS NOT NULL;
CREATE INDEX batch_files_published_idx ON batch_files (batch_id, published_at) WHERE published_at IS NOT NULL;

ALTER TABLE tag_results
  -- Estimated LLM cost in USD at the configured per-million-token prices.
  ADD COLUMN cost_usd numeric(12, 6);

-- New columns go at the end: CREATE OR REPLACE VIEW may only append.
CREATE OR REPLACE VIEW tagged_files AS
SELECT
  b.name                                   AS batch,
  m.url                                    AS url,
  m.transcript_id                          AS transcript_id,
  t.name                                   AS taxonomy,
  r.topic                                  AS topic,
  m.transcript_status                      AS transcript_status,
  COALESCE(r.status, 'pending')            AS tag_status,
  COALESCE(m.error, r.error)               AS error,
  m.audio_duration_s                       AS audio_duration_s,
  bf.created_at                            AS created_at,
  GREATEST(m.updated_at, bf.created_at, r.updated_at) AS updated_at,
  t.version                                AS taxonomy_version,
  r.raw_answer                             AS raw_answer,
  m.language_code                          AS language_code,
  r.model                                  AS model,
  r.input_tokens                           AS input_tokens,
  r.output_tokens                          AS output_tokens,
  bf.metadata                              AS metadata,
  b.id                                     AS batch_id,
  m.id                                     AS media_file_id,
  t.id                                     AS taxonomy_id,
  m.source                                 AS source,
  m.local_path                             AS local_path,
  bf.title                                 AS title,
  bf.guid                                  AS guid,
  bf.published_at                          AS published_at,
  bf.episode_duration_s                    AS episode_duration_s,
  bf.feed_title                            AS feed_title,
  m.cost_usd                               AS transcription_cost_usd,
  r.cost_usd                               AS llm_cost_usd
FROM batch_files bf
JOIN batches b     ON b.id = bf.batch_id
JOIN media_files m ON m.id = bf.media_file_id
JOIN taxonomies t  ON t.id = b.taxonomy_id
LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id;

-- What each batch cost. A transcript shared by two batches is counted in both (each batch's
-- own view of its cost); sum media_files.cost_usd for what the account actually paid.
CREATE VIEW batch_costs AS
SELECT
  batch,
  count(*)                                                        AS files,
  round(coalesce(sum(audio_duration_s) FILTER (WHERE transcript_status = 'completed'), 0) / 3600.0, 3) AS audio_hours,
  coalesce(sum(input_tokens), 0)                                  AS llm_input_tokens,
  coalesce(sum(output_tokens), 0)                                 AS llm_output_tokens,
  round(coalesce(sum(transcription_cost_usd), 0), 4)              AS transcription_cost_usd,
  round(coalesce(sum(llm_cost_usd), 0), 4)                        AS llm_cost_usd,
  round(coalesce(sum(transcription_cost_usd), 0) + coalesce(sum(llm_cost_usd), 0), 4) AS total_cost_usd
FROM tagged_files
GROUP BY batch;
