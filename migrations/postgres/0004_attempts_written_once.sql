-- An attempt's row is written once, when the attempt ends (settled, released, cancelled, or found
-- with an expired lease). The attempt in progress is the job row itself: attempt_count, claimed_by,
-- claimed_at. Rows an earlier version opened at claim time describe exactly that attempt, so they go;
-- the settle of that attempt writes its row. See docs/adr/0008.
DELETE FROM job_attempts WHERE finished_at IS NULL;

-- Operators list jobs by state to find the ones that went wrong; the happy path (pending, running,
-- succeeded) no longer pays an index entry per state change for it. Pending and running jobs are
-- found through the claim's own partial indexes, succeeded ones through the primary key.
DROP INDEX ingestion_jobs_state_id_idx;
CREATE INDEX ingestion_jobs_unhappy_state_id_idx
  ON ingestion_jobs (state, id DESC) WHERE state IN ('failed', 'exhausted', 'cancelled');

