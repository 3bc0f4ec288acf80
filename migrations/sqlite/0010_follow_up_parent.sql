-- A follow-up job records the job whose success declared it (docs/adr/0023). No foreign key, as on
-- PostgreSQL.
ALTER TABLE ingestion_jobs ADD COLUMN parent_job_id INTEGER;

CREATE INDEX ingestion_jobs_parent_job_id_idx ON ingestion_jobs (parent_job_id) WHERE parent_job_id IS NOT NULL;
