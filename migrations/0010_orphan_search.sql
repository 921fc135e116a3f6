-- 0010_orphan_search: remember when the search for an earlier attempt's transcript gave up.
-- Why: after a submission whose outcome is unknown (timeout, reset, crash after sending), the
-- worker looks through the account's newest transcripts for this file before paying again. It
-- stops after a bounded number of pages (10,000 transcripts by default); a file submitted again
-- past that limit may have been paid for twice, and `mediatag status` must say so instead of
-- leaving it in a worker's log.

ALTER TABLE media_files ADD COLUMN submit_search_gave_up_at timestamptz;
CREATE INDEX media_files_search_gave_up_idx ON media_files (id) WHERE submit_search_gave_up_at IS NOT NULL;
