-- What an idempotent request asked for, so the same key with a different body can be refused.
ALTER TABLE ingestion_jobs ADD COLUMN request_fingerprint TEXT;
