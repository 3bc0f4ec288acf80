-- Interruptions (an expired lease, a database failure under a running job) are counted apart from
-- the attempt budget: they are not charged to max_attempts, and a job that reaches the worker's
-- interruption ceiling ends exhausted. An operator's retry resets the count. See docs/adr/0013.
-- A constant default: no table rewrite.
ALTER TABLE ingestion_jobs
  ADD COLUMN interruptions integer NOT NULL DEFAULT 0 CHECK (interruptions >= 0);
