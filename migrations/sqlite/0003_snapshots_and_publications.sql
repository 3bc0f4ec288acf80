-- Raw responses, normalized results and publications.

-- Response bodies, stored once per sha256 of the original bytes, gzip-compressed.
CREATE TABLE snapshot_bodies (
  sha256              TEXT    PRIMARY KEY,
  encoding            TEXT    NOT NULL CHECK (encoding IN ('gzip')),
  size                INTEGER NOT NULL,
  content             BLOB    NOT NULL,
  created_at          INTEGER NOT NULL
);

-- One row per fetched resource per attempt; never updated or deleted by the service.
CREATE TABLE raw_snapshots (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id              INTEGER NOT NULL REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  attempt_number      INTEGER NOT NULL,
  pipeline            TEXT    NOT NULL,
  scope_key           TEXT    NOT NULL,
  resource_type       TEXT    NOT NULL,
  resource_key        TEXT    NOT NULL,
  method              TEXT    NOT NULL,
  url                 TEXT    NOT NULL,
  status              INTEGER NOT NULL,
  not_modified        INTEGER NOT NULL DEFAULT 0,
  etag                TEXT,
  last_modified       TEXT,
  content_type        TEXT,
  size                INTEGER NOT NULL,
  sha256              TEXT    NOT NULL REFERENCES snapshot_bodies (sha256),
  fetched_at          INTEGER NOT NULL,
  UNIQUE (job_id, attempt_number, resource_type, resource_key, sha256)
);

CREATE INDEX raw_snapshots_job_idx ON raw_snapshots (job_id, attempt_number, id);
CREATE INDEX raw_snapshots_resource_idx ON raw_snapshots (pipeline, resource_type, resource_key, id DESC);

CREATE TABLE normalized_results (
  id                      INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id                  INTEGER NOT NULL UNIQUE REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  attempt_number          INTEGER NOT NULL,
  pipeline                TEXT    NOT NULL,
  scope_key               TEXT    NOT NULL,
  source_snapshot_hash    TEXT    NOT NULL,
  normalized_hash         TEXT    NOT NULL,
  parser_version          TEXT    NOT NULL,
  normalizer_version      TEXT    NOT NULL,
  -- Lineage: the snapshots parse read, so the result can be re-derived without fetching.
  source_snapshot_ids     TEXT    NOT NULL CHECK (json_valid(source_snapshot_ids)),
  payload                 TEXT    NOT NULL CHECK (json_valid(payload)),
  record_count            INTEGER NOT NULL,
  publication_decision    TEXT    NOT NULL CHECK (publication_decision IN ('PUBLISH_FORCED', 'SKIP_NO_CHANGE', 'PUBLISH_CHANGED')),
  publication_reason      TEXT    NOT NULL,
  change_classification   TEXT    NOT NULL
                          CHECK (change_classification IN ('REPUBLISH_FORCED', 'NO_CHANGE', 'NORMALIZATION_CHANGED', 'CONTENT_CHANGED')),
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL
);

CREATE TABLE published_results (
  id                      INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id                  INTEGER NOT NULL UNIQUE REFERENCES ingestion_jobs (id),
  pipeline                TEXT    NOT NULL,
  scope_key               TEXT    NOT NULL,
  scope                   TEXT    NOT NULL CHECK (json_valid(scope)),
  version                 INTEGER NOT NULL CHECK (version >= 1),
  supersedes              INTEGER REFERENCES published_results (id),
  source_snapshot_hash    TEXT    NOT NULL,
  normalized_hash         TEXT    NOT NULL,
  envelope_hash           TEXT    NOT NULL,
  publication_decision    TEXT    NOT NULL,
  publication_reason      TEXT    NOT NULL,
  change_classification   TEXT    NOT NULL,
  envelope                TEXT    NOT NULL CHECK (json_valid(envelope)),
  published_at            INTEGER NOT NULL,
  UNIQUE (pipeline, scope_key, version)
);

CREATE INDEX published_results_latest_idx ON published_results (pipeline, scope_key, version DESC);
