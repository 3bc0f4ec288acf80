-- Signed webhooks. An endpoint receives every event of the outbox its pipelines filter lets through;
-- the dispatcher reads the outbox from its stored cursor and, in the transaction that moves the
-- cursor, writes one delivery per (endpoint, event) and the job that delivers it, so an event is
-- neither lost nor doubled across crashes. Each try of a delivery is one attempt row.
CREATE TABLE webhook_endpoints (
  id                          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url                         text        NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
  description                 text        NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  -- NULL: every pipeline; otherwise a JSON array of pipeline names.
  pipelines                   jsonb,
  enabled                     boolean     NOT NULL DEFAULT true,
  disabled_reason             text,
  disabled_at                 timestamptz,
  -- On: a scope's next event waits until its previous one succeeded or was given up.
  ordered                     boolean     NOT NULL DEFAULT false,
  -- The signing secret's bytes in the whsec_ form; during a rotation the previous one signs too until it expires.
  secret                      text        NOT NULL,
  previous_secret             text,
  previous_secret_expires_at  timestamptz,
  -- Since when every try has failed; NULL after a success.
  failing_since               timestamptz,
  created_at                  timestamptz NOT NULL,
  updated_at                  timestamptz NOT NULL,
  deleted_at                  timestamptz,
  CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);

CREATE INDEX webhook_endpoints_live_idx ON webhook_endpoints (id) WHERE deleted_at IS NULL;

-- Where the dispatcher has read the outbox to: one row per reader.
CREATE TABLE webhook_dispatch_cursors (
  name        text        PRIMARY KEY,
  cursor      text,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id     bigint      NOT NULL REFERENCES webhook_endpoints (id),
  event_id        text        NOT NULL,
  event_type      text        NOT NULL,
  pipeline        text        NOT NULL,
  scope_key       text        NOT NULL,
  -- The body every try sends, byte for byte, so a retry's signature covers the same content.
  payload         text        NOT NULL,
  -- waiting: held behind an earlier event of its scope (ordered endpoints); pending: a job will send it.
  status          text        NOT NULL CHECK (status IN ('waiting', 'pending', 'succeeded', 'failed')),
  job_id          bigint      REFERENCES ingestion_jobs (id),
  attempt_count   integer     NOT NULL DEFAULT 0,
  last_error      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  finished_at     timestamptz
);

CREATE UNIQUE INDEX webhook_deliveries_event_key ON webhook_deliveries (endpoint_id, event_id);
-- Ordering: the oldest unfinished delivery of a scope.
CREATE INDEX webhook_deliveries_open_scope_idx ON webhook_deliveries (endpoint_id, scope_key, id) WHERE status IN ('waiting', 'pending');
-- Recovery: what failed for an endpoint since a time.
CREATE INDEX webhook_deliveries_failed_idx ON webhook_deliveries (endpoint_id, finished_at) WHERE status = 'failed';

CREATE TABLE webhook_delivery_attempts (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id       bigint      NOT NULL REFERENCES webhook_deliveries (id),
  job_id            bigint      NOT NULL REFERENCES ingestion_jobs (id),
  job_attempt       integer     NOT NULL,
  started_at        timestamptz NOT NULL,
  latency_ms        integer     NOT NULL CHECK (latency_ms >= 0),
  outcome           text        NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  status_code       integer,
  -- The first few kB of the answer, as text.
  response_excerpt  text,
  error             text
);

CREATE INDEX webhook_delivery_attempts_delivery_idx ON webhook_delivery_attempts (delivery_id, id);

-- Who asked for a resend or a redelivery, and when; the deliveries' jobs carry the rest of the audit.
CREATE TABLE webhook_recoveries (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id     bigint      NOT NULL REFERENCES webhook_endpoints (id),
  kind            text        NOT NULL CHECK (kind IN ('resend', 'redeliver_failed')),
  event_id        text,
  since           timestamptz,
  requested_by    text        NOT NULL,
  request_id      text,
  delivery_count  integer     NOT NULL,
  requested_at    timestamptz NOT NULL
);

CREATE INDEX webhook_recoveries_endpoint_idx ON webhook_recoveries (endpoint_id, id);
