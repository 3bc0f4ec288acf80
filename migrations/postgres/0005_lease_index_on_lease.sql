-- The lease index is keyed on having a lease, not on the state. With `WHERE state = 'running'` every
-- statement that finds a running job by id (settles, renewals, the batched success settle) could be
-- planned through it, and was: running jobs are transient, so the statistics usually count none and
-- the index looks like a one-row scan. The prepared batched settle then walked every running job once
-- per settled job. A predicate that `state = 'running'` cannot match leaves those statements the
-- primary key; the claim's `lease_until < now()` still implies it. See docs/adr/0008.
ALTER TABLE ingestion_jobs
  ADD CONSTRAINT ingestion_jobs_lease_iff_running CHECK ((state = 'running') = (lease_until IS NOT NULL));
DROP INDEX ingestion_jobs_lease_idx;
CREATE INDEX ingestion_jobs_lease_idx ON ingestion_jobs (lease_until) WHERE lease_until IS NOT NULL;
