-- A follow-up job records the job whose success declared it (docs/adr/0023). No foreign key: the
-- parent row is locked by the settle that inserts its follow-ups anyway, and a key would make
-- every future clean-up of old jobs delete in parent order.
ALTER TABLE ingestion_jobs ADD COLUMN parent_job_id bigint;

-- A job's follow-ups, found from the parent; most jobs have no parent and no entry.
CREATE INDEX ingestion_jobs_parent_job_id_idx ON ingestion_jobs (parent_job_id) WHERE parent_job_id IS NOT NULL;
