-- 0011_needs_tagging: one definition of "this file still needs a tag from this taxonomy".
-- Why: enqueue, retag, retry, reconcile and the completion of a transcript each decide which
-- (file, taxonomy) pairs get a tag job, and each spelled the rule itself. They disagreed about
-- a tag result that ended in `error`: reconcile left it alone, the others queued it again. A
-- failed result is final, like `tagged` and `unmatched`: `mediatag status` counts it as failed
-- and `worker --exit-when-done` stops on it. Only `mediatag retry` sets it back to `pending`,
-- after which it needs tagging again for every caller. Queued by anything else, it would be
-- asked (and paid for) again on every reconcile, and a batched tag job, which claims only
-- `pending` rows, would wait for it forever.
--
-- The function takes the two statuses, not ids, so that the planner inlines it: a caller joins
-- tag_results on (file, taxonomy) itself (LEFT JOIN: no row = no result yet) and gets the plan
-- of the spelled-out predicate. A version that took ids and looked the rows up itself would run
-- once per row (about 4 times slower for reconcile over 100,000 files).

CREATE FUNCTION needs_tagging(transcript_status text, tag_status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN transcript_status = 'completed' AND (tag_status IS NULL OR tag_status = 'pending');

COMMENT ON FUNCTION needs_tagging(text, text) IS
  'A file (media_files.transcript_status) needs a tag from a taxonomy (its tag_results.status there, NULL when none): transcribed, and no result or a pending one. error is final until mediatag retry.';
