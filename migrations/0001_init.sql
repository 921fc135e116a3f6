-- 0001_init: the system of record.
-- Why: Postgres holds every media file, its transcript id and its tag results; Redis only
-- carries jobs and can be rebuilt from these tables (DESIGN.md invariants 1 and 4).
-- A media URL has one row for its whole life, whichever batches list it, so it is
-- transcribed (and paid for) once; tag results are per (file, taxonomy version).

CREATE TABLE taxonomies (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
  -- Editing a list makes a new version; results keep pointing at the version they used.
  version     integer NOT NULL CHECK (version > 0),
  -- Ordered array of {"name": ..., "description": ...}.
  tags        jsonb NOT NULL CHECK (jsonb_typeof(tags) = 'array' AND jsonb_array_length(tags) > 0),
  -- sha256 of the canonical tags JSON: re-adding an unchanged list makes no new version.
  checksum    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (name, version)
);

CREATE TABLE batches (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  -- The list this batch is reported against; `retag` points it at another one.
  taxonomy_id  integer NOT NULL REFERENCES taxonomies (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE media_files (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url                text NOT NULL UNIQUE,
  transcript_id      text UNIQUE,
  transcript_status  text NOT NULL DEFAULT 'pending'
    CHECK (transcript_status IN ('pending', 'queued', 'processing', 'completed', 'error')),
  -- Transcript ids that ended in `error` at AssemblyAI before a retry resubmitted the file
  -- (those are not billed); kept so no id is ever forgotten.
  failed_transcript_ids text[] NOT NULL DEFAULT '{}',
  submit_attempts    integer NOT NULL DEFAULT 0,
  -- Mutual exclusion for one submission attempt; cleared when the attempt ends.
  submit_claimed_at  timestamptz,
  -- Set when a submission starts and cleared once its outcome is known (id saved, or the
  -- API refused it). Still set on the next attempt = the last one may have reached
  -- AssemblyAI (timeout, reset, crash), so the worker looks for that transcript before
  -- paying for a second one.
  submit_uncertain_since timestamptz,
  -- Who reported the error: 'api' (the transcript ended in error at AssemblyAI: retry
  -- resubmits, it was not billed), 'submit' (refused before an id existed), 'poll' (we
  -- could not read a saved transcript: retry re-polls, never resubmits).
  error_kind         text CHECK (error_kind IN ('api', 'submit', 'poll')),
  audio_duration_s   integer,
  language_code      text,
  speech_model       text,
  error              text,
  submitted_at       timestamptz,
  completed_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (transcript_status = 'pending' OR transcript_status = 'error' OR transcript_id IS NOT NULL)
);

-- "Files stuck in a state": only unfinished rows are indexed, so the index stays small.
CREATE INDEX media_files_unfinished_idx ON media_files (transcript_status, updated_at)
  WHERE transcript_status IN ('pending', 'queued', 'processing');

CREATE TABLE batch_files (
  batch_id       integer NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  media_file_id  bigint NOT NULL REFERENCES media_files (id),
  -- Extra CSV columns or feed item fields, for users' SQL.
  metadata       jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, media_file_id)
);
CREATE INDEX batch_files_media_file_idx ON batch_files (media_file_id);

CREATE TABLE tag_results (
  media_file_id  bigint NOT NULL REFERENCES media_files (id),
  taxonomy_id    integer NOT NULL REFERENCES taxonomies (id),
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'tagged', 'unmatched', 'error')),
  topic          text,
  raw_answer     text,
  model          text,
  input_tokens   integer,
  output_tokens  integer,
  attempts       integer NOT NULL DEFAULT 0,
  error          text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (media_file_id, taxonomy_id),
  CHECK ((status = 'tagged') = (topic IS NOT NULL))
);
-- "Topic counts per batch": batch_files (batch_id) → this index by (taxonomy, topic).
CREATE INDEX tag_results_taxonomy_topic_idx ON tag_results (taxonomy_id, topic);
CREATE INDEX tag_results_unfinished_idx ON tag_results (status, updated_at)
  WHERE status IN ('pending', 'error');

-- Invariant 3: a stored topic is always exactly one of its taxonomy's tags. The tagger checks
-- this too; the trigger makes it hold for any writer, including hand-written SQL.
CREATE FUNCTION tag_results_topic_in_taxonomy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.topic IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM taxonomies t, jsonb_array_elements(t.tags) AS tag
    WHERE t.id = NEW.taxonomy_id AND tag ->> 'name' = NEW.topic
  ) THEN
    RAISE EXCEPTION 'topic % is not a tag of taxonomy %', NEW.topic, NEW.taxonomy_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER tag_results_topic_check BEFORE INSERT OR UPDATE OF topic, taxonomy_id ON tag_results
  FOR EACH ROW EXECUTE FUNCTION tag_results_topic_in_taxonomy();

-- The interface users query (DESIGN.md): one row per (batch, media file), reported against
-- the batch's current taxonomy. Keep these columns stable; add new ones at the end.
CREATE VIEW tagged_files AS
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
  t.id                                     AS taxonomy_id
FROM batch_files bf
JOIN batches b     ON b.id = bf.batch_id
JOIN media_files m ON m.id = bf.media_file_id
JOIN taxonomies t  ON t.id = b.taxonomy_id
LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id;
