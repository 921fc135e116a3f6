-- 0007_cost_ledger: what the account was charged, one row per billed event; transcripts that
-- AssemblyAI no longer has.
-- Why: batch_costs summed each batch's rows of tagged_files, so a file two batches share had
-- its transcription counted twice (it was paid once), and after `retag` the earlier LLM spend
-- vanished (the view joins only the batch's current taxonomy). Money is now recorded as it is
-- spent, append-only, by the same statement that saves what was bought: a completed
-- transcription, or one file's share of a gateway request. Totals are sums over this table.
-- And a transcript deleted at AssemblyAI (by the account or a retention policy) answers
-- "transcript id not found" forever: polling it again cannot help, so it gets its own kind.

CREATE TABLE cost_ledger (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('transcription', 'tagging')),
  media_file_id  bigint NOT NULL REFERENCES media_files (id),
  -- The batch that caused the charge: for a transcription the first batch that listed the
  -- file (the one that submitted it); for tagging the first batch that lists the file with the
  -- taxonomy it was tagged for. NULL only when that batch was deleted: the money stays spent.
  batch_id       integer REFERENCES batches (id) ON DELETE SET NULL,
  -- Tagging: the taxonomy version the request was for.
  taxonomy_id    integer REFERENCES taxonomies (id),
  -- Transcription: the transcript that was billed (a resubmitted file bills a new id).
  transcript_id  text,
  -- Tagging: the gateway's request_id (a batched request has one row per file it carried,
  -- each with its share of the request's tokens) and the model.
  request_id     text,
  model          text,
  -- Billed audio (seconds, as AssemblyAI rounds it) or tokens.
  audio_seconds  integer,
  input_tokens   integer,
  output_tokens  integer,
  -- USD at the prices configured when it was incurred.
  cost_usd       numeric(12, 6) NOT NULL CHECK (cost_usd >= 0),
  -- Made by this migration from the totals kept before the ledger existed (one row per file
  -- and taxonomy for tagging, with no per-request detail).
  backfilled     boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'transcription') = (transcript_id IS NOT NULL)),
  CHECK (kind = 'transcription' OR taxonomy_id IS NOT NULL)
);
-- A transcript is billed once, whichever worker records its completion and however often.
CREATE UNIQUE INDEX cost_ledger_transcript_idx ON cost_ledger (transcript_id) WHERE kind = 'transcription';
CREATE INDEX cost_ledger_batch_idx ON cost_ledger (batch_id);
CREATE INDEX cost_ledger_file_idx ON cost_ledger (media_file_id);

-- Backfill: every completed transcription with a recorded cost, charged to its first batch.
INSERT INTO cost_ledger (kind, media_file_id, batch_id, transcript_id, audio_seconds, cost_usd, backfilled, created_at)
SELECT 'transcription', m.id,
       (SELECT bf.batch_id FROM batch_files bf WHERE bf.media_file_id = m.id
         ORDER BY bf.created_at, bf.batch_id LIMIT 1),
       m.transcript_id, m.audio_duration_s, m.cost_usd, true, coalesce(m.completed_at, m.updated_at)
  FROM media_files m
 WHERE m.transcript_status = 'completed' AND m.transcript_id IS NOT NULL AND m.cost_usd IS NOT NULL;

-- Backfill: the LLM spend accumulated on each result (every attempt, every taxonomy version),
-- charged to the first batch listing the file with that taxonomy, else its first batch.
INSERT INTO cost_ledger (kind, media_file_id, batch_id, taxonomy_id, request_id, model, input_tokens,
                         output_tokens, cost_usd, backfilled, created_at)
SELECT 'tagging', r.media_file_id,
       coalesce(
         (SELECT bf.batch_id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
           WHERE bf.media_file_id = r.media_file_id AND b.taxonomy_id = r.taxonomy_id
           ORDER BY bf.created_at, bf.batch_id LIMIT 1),
         (SELECT bf.batch_id FROM batch_files bf WHERE bf.media_file_id = r.media_file_id
           ORDER BY bf.created_at, bf.batch_id LIMIT 1)),
       r.taxonomy_id, r.request_id, r.model, r.input_tokens, r.output_tokens, coalesce(r.cost_usd, 0), true, r.updated_at
  FROM tag_results r
 WHERE r.cost_usd > 0 OR r.input_tokens > 0 OR r.output_tokens > 0;

-- 'gone': AssemblyAI no longer has the transcript. On a failed file, `retry --resubmit` buys it
-- again (plain `retry` never re-polls it); on a completed file, tagging uses the stored excerpt.
ALTER TABLE media_files DROP CONSTRAINT media_files_error_kind_check;
ALTER TABLE media_files ADD CONSTRAINT media_files_error_kind_check
  CHECK (error_kind IN ('api', 'submit', 'poll', 'gone'));

-- Same columns as before, now from the ledger: a shared file's transcription is in the batch
-- that submitted it only (the others count it in reused_files), and a retag adds its requests
-- to the earlier ones. audio_hours is the audio this batch was billed for. New columns at the
-- end: CREATE OR REPLACE VIEW may only append.
CREATE OR REPLACE VIEW batch_costs AS
WITH spent AS (
  SELECT batch_id,
    coalesce(sum(audio_seconds) FILTER (WHERE kind = 'transcription'), 0) AS audio_seconds,
    coalesce(sum(input_tokens) FILTER (WHERE kind = 'tagging'), 0)        AS input_tokens,
    coalesce(sum(output_tokens) FILTER (WHERE kind = 'tagging'), 0)       AS output_tokens,
    coalesce(sum(cost_usd) FILTER (WHERE kind = 'transcription'), 0)      AS transcription_cost,
    coalesce(sum(cost_usd) FILTER (WHERE kind = 'tagging'), 0)            AS llm_cost,
    count(*) FILTER (WHERE kind = 'transcription')                        AS transcriptions
  FROM cost_ledger WHERE batch_id IS NOT NULL GROUP BY batch_id
), listed AS (
  SELECT bf.batch_id, count(*) AS files,
    -- Transcribed files whose transcription was charged to another batch.
    count(*) FILTER (WHERE m.transcript_status = 'completed' AND NOT EXISTS (
      SELECT 1 FROM cost_ledger l WHERE l.kind = 'transcription' AND l.transcript_id = m.transcript_id
        AND l.batch_id = bf.batch_id)) AS reused_files
  FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id
  GROUP BY bf.batch_id
)
SELECT
  b.name                                                          AS batch,
  listed.files                                                    AS files,
  round(coalesce(s.audio_seconds, 0) / 3600.0, 3)                 AS audio_hours,
  coalesce(s.input_tokens, 0)                                     AS llm_input_tokens,
  coalesce(s.output_tokens, 0)                                    AS llm_output_tokens,
  round(coalesce(s.transcription_cost, 0), 4)                     AS transcription_cost_usd,
  round(coalesce(s.llm_cost, 0), 4)                               AS llm_cost_usd,
  round(coalesce(s.transcription_cost, 0) + coalesce(s.llm_cost, 0), 4) AS total_cost_usd,
  listed.reused_files                                             AS reused_files,
  coalesce(s.transcriptions, 0)                                   AS transcriptions
FROM batches b
JOIN listed ON listed.batch_id = b.id
LEFT JOIN spent s ON s.batch_id = b.id;

-- Everything the account was charged, all time, whatever batch (if any) still exists.
CREATE VIEW cost_summary AS
SELECT
  count(*) FILTER (WHERE kind = 'transcription')                             AS transcriptions,
  round(coalesce(sum(audio_seconds) FILTER (WHERE kind = 'transcription'), 0) / 3600.0, 3) AS audio_hours,
  count(DISTINCT request_id) FILTER (WHERE kind = 'tagging')                 AS llm_requests,
  coalesce(sum(input_tokens) FILTER (WHERE kind = 'tagging'), 0)             AS llm_input_tokens,
  coalesce(sum(output_tokens) FILTER (WHERE kind = 'tagging'), 0)            AS llm_output_tokens,
  round(coalesce(sum(cost_usd) FILTER (WHERE kind = 'transcription'), 0), 4) AS transcription_cost_usd,
  round(coalesce(sum(cost_usd) FILTER (WHERE kind = 'tagging'), 0), 4)       AS llm_cost_usd,
  round(coalesce(sum(cost_usd), 0), 4)                                       AS total_cost_usd,
  min(created_at)                                                            AS first_charge_at,
  max(created_at)                                                            AS last_charge_at
FROM cost_ledger;
