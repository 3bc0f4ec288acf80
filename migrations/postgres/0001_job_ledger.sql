-- The job ledger: jobs, one row per attempt, and every state transition.

CREATE TABLE ingestion_jobs (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pipeline            text        NOT NULL CHECK (length(pipeline) BETWEEN 1 AND 200),
  scope               jsonb       NOT NULL DEFAULT '{}'::jsonb,
  scope_key           text        NOT NULL,
  params              jsonb       NOT NULL DEFAULT '{}'::jsonb,
  state               text        NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'exhausted', 'cancelled')),
  priority            integer     NOT NULL DEFAULT 0,
  attempt_count       integer     NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
  spent_attempts      integer     NOT NULL DEFAULT 0 CHECK (spent_attempts >= 0),
  max_attempts        integer     NOT NULL CHECK (max_attempts >= 1),
  next_retry_at       timestamptz NOT NULL DEFAULT now(),
  claimed_by          text,
  claimed_at          timestamptz,
  lease_until         timestamptz,
  last_heartbeat_at   timestamptz,
  failure_category    text,
  failure_code        text,
  failure_message     text,
  failure_retryable   boolean,
  parser_version      text,
  normalizer_version  text,
  counters            jsonb       NOT NULL DEFAULT '{}'::jsonb,
  force_republish     boolean     NOT NULL DEFAULT false,
  idempotency_key     text,
  cancel_requested    boolean     NOT NULL DEFAULT false,
  correlation_id      text,
  schedule_id         text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  finished_at         timestamptz,
  CONSTRAINT ingestion_jobs_running_has_lease
    CHECK (state <> 'running' OR (claimed_by IS NOT NULL AND lease_until IS NOT NULL))
);

CREATE UNIQUE INDEX ingestion_jobs_idempotency_key_key
  ON ingestion_jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The claim reads only these two partial indexes, so finished jobs never slow it down.
CREATE INDEX ingestion_jobs_due_idx
  ON ingestion_jobs (priority DESC, next_retry_at, id) WHERE state = 'pending';
CREATE INDEX ingestion_jobs_lease_idx
  ON ingestion_jobs (lease_until) WHERE state = 'running';

-- Listing and lookups by operators.
CREATE INDEX ingestion_jobs_state_id_idx ON ingestion_jobs (state, id DESC);
CREATE INDEX ingestion_jobs_pipeline_scope_id_idx ON ingestion_jobs (pipeline, scope_key, id DESC);
CREATE INDEX ingestion_jobs_created_at_idx ON ingestion_jobs (created_at);

CREATE TABLE job_attempts (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id              bigint      NOT NULL REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  attempt_number      integer     NOT NULL CHECK (attempt_number >= 1),
  worker_id           text        NOT NULL,
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz,
  outcome             text CHECK (outcome IN ('succeeded', 'failed', 'lease_expired', 'cancelled', 'released')),
  failure_category    text,
  failure_code        text,
  failure_message     text,
  failure_retryable   boolean,
  duration_ms         bigint,
  CONSTRAINT job_attempts_job_attempt_key UNIQUE (job_id, attempt_number)
);

CREATE TABLE job_state_transitions (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id              bigint      NOT NULL REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  attempt_number      integer     NOT NULL,
  from_state          text,
  to_state            text        NOT NULL,
  reason              text        NOT NULL,
  at                  timestamptz NOT NULL
);

CREATE INDEX job_state_transitions_job_idx ON job_state_transitions (job_id, id);
