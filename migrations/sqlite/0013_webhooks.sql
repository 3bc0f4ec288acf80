-- Signed webhooks (see the PostgreSQL migration for what each table is for).
-- Instants are integer milliseconds since the Unix epoch; JSON is text; booleans are 0/1.
CREATE TABLE webhook_endpoints (
  id                          INTEGER PRIMARY KEY AUTOINCREMENT,
  url                         TEXT    NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
  description                 TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  pipelines                   TEXT    CHECK (pipelines IS NULL OR json_valid(pipelines)),
  enabled                     INTEGER NOT NULL DEFAULT 1,
  disabled_reason             TEXT,
  disabled_at                 INTEGER,
  ordered                     INTEGER NOT NULL DEFAULT 0,
  secret                      TEXT    NOT NULL,
  previous_secret             TEXT,
  previous_secret_expires_at  INTEGER,
  failing_since               INTEGER,
  created_at                  INTEGER NOT NULL,
  updated_at                  INTEGER NOT NULL,
  deleted_at                  INTEGER,
  CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);

CREATE INDEX webhook_endpoints_live_idx ON webhook_endpoints (id) WHERE deleted_at IS NULL;

CREATE TABLE webhook_dispatch_cursors (
  name        TEXT    PRIMARY KEY,
  cursor      TEXT,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints (id),
  event_id        TEXT    NOT NULL,
  event_type      TEXT    NOT NULL,
  pipeline        TEXT    NOT NULL,
  scope_key       TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('waiting', 'pending', 'succeeded', 'failed')),
  job_id          INTEGER REFERENCES ingestion_jobs (id),
  attempt_count   INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  finished_at     INTEGER
);

CREATE UNIQUE INDEX webhook_deliveries_event_key ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_open_scope_idx ON webhook_deliveries (endpoint_id, scope_key, id) WHERE status IN ('waiting', 'pending');
CREATE INDEX webhook_deliveries_failed_idx ON webhook_deliveries (endpoint_id, finished_at) WHERE status = 'failed';

CREATE TABLE webhook_delivery_attempts (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id       INTEGER NOT NULL REFERENCES webhook_deliveries (id),
  job_id            INTEGER NOT NULL REFERENCES ingestion_jobs (id),
  job_attempt       INTEGER NOT NULL,
  started_at        INTEGER NOT NULL,
  latency_ms        INTEGER NOT NULL CHECK (latency_ms >= 0),
  outcome           TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  status_code       INTEGER,
  response_excerpt  TEXT,
  error             TEXT
);

CREATE INDEX webhook_delivery_attempts_delivery_idx ON webhook_delivery_attempts (delivery_id, id);

CREATE TABLE webhook_recoveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints (id),
  kind            TEXT    NOT NULL CHECK (kind IN ('resend', 'redeliver_failed')),
  event_id        TEXT,
  since           INTEGER,
  requested_by    TEXT    NOT NULL,
  request_id      TEXT,
  delivery_count  INTEGER NOT NULL,
  requested_at    INTEGER NOT NULL
);

CREATE INDEX webhook_recoveries_endpoint_idx ON webhook_recoveries (endpoint_id, id);
