-- The outbox: one event per publication, written in the publication's transaction.

CREATE TABLE outbox_events (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type                text        NOT NULL CHECK (type IN ('publication.created')),
  occurred_at         timestamptz NOT NULL DEFAULT now(),
  pipeline            text        NOT NULL,
  scope_key           text        NOT NULL,
  scope               jsonb       NOT NULL,
  publication_id      bigint      NOT NULL UNIQUE REFERENCES published_results (id),
  version             integer     NOT NULL CHECK (version >= 1),
  envelope_hash       text        NOT NULL,
  supersedes          bigint,
  -- The inserting transaction. Readers order by (xact_id, id) and read only below the current
  -- snapshot's xmin, where no transaction still running can add an event (ADR 27).
  xact_id             xid8        NOT NULL DEFAULT pg_current_xact_id()
);

CREATE INDEX outbox_events_position_idx ON outbox_events (xact_id, id);
-- The feed filtered by pipeline, and by pipeline and scope, read in the same order.
CREATE INDEX outbox_events_pipeline_position_idx ON outbox_events (pipeline, xact_id, id);
CREATE INDEX outbox_events_scope_position_idx ON outbox_events (pipeline, scope_key, xact_id, id);
CREATE INDEX outbox_events_occurred_idx ON outbox_events (occurred_at);

-- The position of the newest event removed by retention: a cursor before it has missed events.
CREATE TABLE outbox_retention (
  singleton           boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  pruned_xact_id      xid8        NOT NULL DEFAULT '0',
  pruned_id           bigint      NOT NULL DEFAULT 0,
  pruned_at           timestamptz
);

INSERT INTO outbox_retention (singleton) VALUES (true);
