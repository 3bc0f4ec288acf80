-- Per-pipeline limits on jobs running at once, across every worker (docs/adr/0020). A pipeline
-- without a row has no limit. A claim holds the write lock (BEGIN IMMEDIATE), so it counts running
-- jobs and takes due ones with no other claim in between; no lock of its own is needed.
CREATE TABLE pipeline_limits (
  pipeline     TEXT PRIMARY KEY,
  max_running  INTEGER NOT NULL CHECK (max_running > 0),
  updated_at   INTEGER NOT NULL
);

-- Pending jobs by pipeline: a claim finds the next due jobs of a limited pipeline without walking
-- the other pipelines' backlog.
CREATE INDEX ingestion_jobs_pending_pipeline_idx
  ON ingestion_jobs (pipeline, priority DESC, next_retry_at, id) WHERE state = 'pending';
