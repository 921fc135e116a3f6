-- 0008_spending_cap: a ceiling on what a batch may spend, and which batch paid for a file.
-- Why: an overnight backlog runs unattended (cron, a Kubernetes Job); its owner needs a bound
-- on cost that the workers respect before they pay for another transcript. A file listed in
-- several batches is paid for once, so it counts against the one batch whose submission paid
-- for it, recorded when it is submitted.

ALTER TABLE batches
  -- USD; NULL = no cap. Workers submit no file whose estimate would take the batch past it.
  ADD COLUMN max_cost_usd numeric(12, 4) CHECK (max_cost_usd IS NULL OR max_cost_usd >= 0);

ALTER TABLE media_files
  -- The batch the file's transcription counts against. NULL for files submitted before this
  -- migration: those count against every batch that lists them (as batch_costs does).
  ADD COLUMN charged_batch_id integer REFERENCES batches (id) ON DELETE SET NULL;

-- A capped batch's spend and in-flight files are read before each of its submissions.
CREATE INDEX media_files_charged_batch_idx ON media_files (charged_batch_id)
  WHERE charged_batch_id IS NOT NULL;
