-- 0006_eval: how right the tags are, measured on a user's own files before a big run.
-- Why: batching, excerpts, a smaller model or a reworded tag list each make tagging cheaper or
-- faster and each can change answers. `mediatag eval` tags a few labelled (or sampled) files
-- under named configurations and keeps every answer here, apart from tag_results: an
-- evaluation never touches a batch's real results, runs can be compared in SQL later, and an
-- unchanged configuration re-uses its stored answers instead of paying for them again.

-- One configuration evaluated in one `mediatag eval` invocation (configs run together share
-- `invocation`).
CREATE TABLE eval_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invocation    uuid NOT NULL,
  -- 'labels': against a gold file; 'agreement': configurations compared with each other.
  mode          text NOT NULL CHECK (mode IN ('labels', 'agreement')),
  config_name   text NOT NULL,
  -- sha256 of the effective settings (taxonomy version, model, batch size, excerpt tokens,
  -- request token cap, gateway mode, prompt text): answers under the same key are reusable.
  config_key    text NOT NULL,
  -- The KEY=VALUE overrides as given, and the settings they resolved to.
  overrides     jsonb NOT NULL,
  settings      jsonb NOT NULL,
  taxonomy_id   integer NOT NULL REFERENCES taxonomies (id),
  -- The batch sampled from (agreement mode, or labels mode restricted to a batch).
  batch_id      integer REFERENCES batches (id) ON DELETE SET NULL,
  seed          integer,
  files         integer NOT NULL DEFAULT 0,
  -- Gateway requests and tokens this invocation actually spent (re-used answers cost nothing).
  requests      integer NOT NULL DEFAULT 0,
  input_tokens  integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  cost_usd      numeric(12, 6) NOT NULL DEFAULT 0,
  -- The figures as reported (accuracy, per-tag scores, confusion, agreement): the JSON output.
  metrics       jsonb,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eval_runs_invocation_idx ON eval_runs (invocation);

-- One answer per (run, file). `expected` is the hand label (labels mode).
CREATE TABLE eval_answers (
  run_id         bigint NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
  media_file_id  bigint NOT NULL REFERENCES media_files (id),
  config_key     text NOT NULL,
  status         text NOT NULL CHECK (status IN ('tagged', 'unmatched', 'error')),
  topic          text,
  expected       text,
  raw_answer     text,
  error          text,
  model          text,
  request_id     text,
  -- Files in the request that answered (1 = asked alone).
  batch_size     integer,
  -- This file's share of gateway requests (1 / files per batched request, + 1 per request
  -- asked alone, repairs included) and of tokens and cost, as the workers apportion them.
  requests       numeric(10, 4) NOT NULL DEFAULT 0,
  input_tokens   integer NOT NULL DEFAULT 0,
  output_tokens  integer NOT NULL DEFAULT 0,
  cost_usd       numeric(12, 6) NOT NULL DEFAULT 0,
  -- Copied from an earlier run with the same config_key instead of asked again.
  reused         boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, media_file_id),
  CHECK ((status = 'tagged') = (topic IS NOT NULL))
);
-- Re-use: the latest answer for (config, file).
CREATE INDEX eval_answers_reuse_idx ON eval_answers (config_key, media_file_id, created_at DESC);
