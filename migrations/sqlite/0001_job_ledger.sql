-- The job ledger: jobs, one row per attempt, and every state transition.
-- Instants are integer milliseconds since the Unix epoch; JSON is text; booleans are 0/1.

CREATE TABLE ingestion_jobs (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline            TEXT    NOT NULL CHECK (length(pipeline) BETWEEN 1 AND 200),
  scope               TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(scope)),
  scope_key           TEXT    NOT NULL,
  params              TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  state               TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'exhausted', 'cancelled')),
  priority            INTEGER NOT NULL DEFAULT 0,
  attempt_count       INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
  spent_attempts      INTEGER NOT NULL DEFAULT 0 CHECK (spent_attempts >= 0),
  max_attempts        INTEGER NOT NULL CHECK (max_attempts >= 1),
  next_retry_at       INTEGER NOT NULL,
  claimed_by          TEXT,
  claimed_at          INTEGER,
  lease_until         INTEGER,
  last_heartbeat_at   INTEGER,
  failure_category    TEXT,
  failure_code        TEXT,
  failure_message     TEXT,
  failure_retryable   INTEGER,
  parser_version      TEXT,
  normalizer_version  TEXT,
  counters            TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(counters)),
  force_republish     INTEGER NOT NULL DEFAULT 0,
  idempotency_key     TEXT,
  cancel_requested    INTEGER NOT NULL DEFAULT 0,
  correlation_id      TEXT,
  schedule_id         TEXT,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  finished_at         INTEGER,
  CHECK (state <> 'running' OR (claimed_by IS NOT NULL AND lease_until IS NOT NULL))
);

CREATE UNIQUE INDEX ingestion_jobs_idempotency_key_key
  ON ingestion_jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The claim reads only these two partial indexes, so finished jobs never slow it down.
CREATE INDEX ingestion_jobs_due_idx
  ON ingestion_jobs (priority DESC, next_retry_at, id) WHERE state = 'pending';
CREATE INDEX ingestion_jobs_lease_idx
  ON ingestion_jobs (lease_until) WHERE state = 'running';

CREATE INDEX ingestion_jobs_state_id_idx ON ingestion_jobs (state, id DESC);
CREATE INDEX ingestion_jobs_pipeline_scope_id_idx ON ingestion_jobs (pipeline, scope_key, id DESC);
CREATE INDEX ingestion_jobs_created_at_idx ON ingestion_jobs (created_at);

CREATE TABLE job_attempts (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id              INTEGER NOT NULL REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  attempt_number      INTEGER NOT NULL CHECK (attempt_number >= 1),
  worker_id           TEXT    NOT NULL,
  started_at          INTEGER NOT NULL,
  finished_at         INTEGER,
  outcome             TEXT CHECK (outcome IN ('succeeded', 'failed', 'lease_expired', 'cancelled', 'released')),
  failure_category    TEXT,
  failure_code        TEXT,
  failure_message     TEXT,
  failure_retryable   INTEGER,
  duration_ms         INTEGER,
  UNIQUE (job_id, attempt_number)
);

CREATE TABLE job_state_transitions (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id              INTEGER NOT NULL REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  attempt_number      INTEGER NOT NULL,
  from_state          TEXT,
  to_state            TEXT    NOT NULL,
  reason              TEXT    NOT NULL,
  at                  INTEGER NOT NULL
);

CREATE INDEX job_state_transitions_job_idx ON job_state_transitions (job_id, id);
