-- Static snapshot drops (docs/adr/0025). One row per file taken from the drop folder or uploaded,
-- keyed by the name it was claimed under in the processing folder. The import itself is an ordinary
-- job of static_dataset.snapshot whose idempotency key is the file's SHA-256. Instants are integer
-- milliseconds since the Unix epoch; JSON is text.
CREATE TABLE snapshot_drops (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  claim_name  TEXT    NOT NULL UNIQUE,
  file_name   TEXT    NOT NULL,
  sha256      TEXT    CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
  size        INTEGER NOT NULL CHECK (size >= 0),
  via         TEXT    NOT NULL CHECK (via IN ('folder', 'upload')),
  job_id      INTEGER REFERENCES ingestion_jobs (id),
  outcome     TEXT    NOT NULL CHECK (outcome IN ('pending', 'imported', 'duplicate', 'invalid', 'refused', 'poison', 'failed')),
  location    TEXT,
  detail      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE INDEX snapshot_drops_sha256_idx ON snapshot_drops (sha256);
CREATE INDEX snapshot_drops_job_idx ON snapshot_drops (job_id);
