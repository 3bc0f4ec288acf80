-- An attempt's row is written once, when the attempt ends (settled, released, cancelled, or found
-- with an expired lease). The attempt in progress is the job row itself: attempt_count, claimed_by,
-- claimed_at. Rows an earlier version opened at claim time describe exactly that attempt, so they go;
-- the settle of that attempt writes its row. See docs/adr/0008.
-- (SQLite rewrites only the index entries whose columns change, so its indexes stay as they are.)
DELETE FROM job_attempts WHERE finished_at IS NULL;
