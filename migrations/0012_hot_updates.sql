-- 0012_hot_updates: let the pipeline's updates of media_files and tag_results stay on their page.
-- Why: a file's row is updated three to five times on its way (claim, transcript id, completion,
-- and again on a retry), and every update set updated_at, which media_files_unfinished_idx
-- covered: no update of media_files could be HOT, so each one wrote a new entry into every
-- index of the table. Nothing reads that index by updated_at (the backlog counts of /metrics
-- and reconcile filter on the status only), so it is rebuilt on the status alone. An update
-- that leaves every indexed column alone (the claim, a released claim) can now be HOT when its
-- page has room: rows are no longer packed full (fillfactor), so it usually has. tag_results
-- gets room too, for the lease a batched request takes on each of its files.
-- The new index is built inside the migration's transaction, blocking writes to media_files
-- while it is built (about a second per million rows).

DROP INDEX media_files_unfinished_idx;
CREATE INDEX media_files_unfinished_idx ON media_files (transcript_status)
  WHERE transcript_status IN ('pending', 'queued', 'processing');

ALTER TABLE media_files SET (fillfactor = 80);
ALTER TABLE tag_results SET (fillfactor = 90);
