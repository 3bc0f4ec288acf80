-- Static snapshot drops (docs/adr/0025). One row per file taken from the drop folder or uploaded,
-- keyed by the name it was claimed under in the processing folder (unique, so two workers that both
-- settle one file write one row). The import itself is an ordinary job of static_dataset.snapshot
-- whose idempotency key is the file's SHA-256: this table says what became of each file.
CREATE TABLE snapshot_drops (
  id          bigserial PRIMARY KEY,
  claim_name  text        NOT NULL UNIQUE,
  file_name   text        NOT NULL,
  sha256      text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size        bigint      NOT NULL CHECK (size >= 0),
  via         text        NOT NULL CHECK (via IN ('folder', 'upload')),
  job_id      bigint      REFERENCES ingestion_jobs (id),
  outcome     text        NOT NULL CHECK (outcome IN ('pending', 'imported', 'duplicate', 'invalid', 'refused', 'poison', 'failed')),
  location    text,
  detail      jsonb       NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX snapshot_drops_sha256_idx ON snapshot_drops (sha256);
CREATE INDEX snapshot_drops_job_idx ON snapshot_drops (job_id);
