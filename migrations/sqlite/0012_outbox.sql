-- The outbox: one event per publication, written in the publication's transaction. SQLite has one
-- writer at a time, so ids are handed out in commit order and readers order by id alone (ADR 27).

CREATE TABLE outbox_events (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  type                TEXT    NOT NULL CHECK (type IN ('publication.created')),
  occurred_at         INTEGER NOT NULL,
  pipeline            TEXT    NOT NULL,
  scope_key           TEXT    NOT NULL,
  scope               TEXT    NOT NULL CHECK (json_valid(scope)),
  publication_id      INTEGER NOT NULL UNIQUE REFERENCES published_results (id),
  version             INTEGER NOT NULL CHECK (version >= 1),
  envelope_hash       TEXT    NOT NULL,
  supersedes          INTEGER
);

-- The feed filtered by pipeline, and by pipeline and scope, read in the same order.
CREATE INDEX outbox_events_pipeline_position_idx ON outbox_events (pipeline, id);
CREATE INDEX outbox_events_scope_position_idx ON outbox_events (pipeline, scope_key, id);
CREATE INDEX outbox_events_occurred_idx ON outbox_events (occurred_at);

-- The id of the newest event removed by retention: a cursor before it has missed events.
CREATE TABLE outbox_retention (
  singleton           INTEGER PRIMARY KEY CHECK (singleton = 1),
  pruned_id           INTEGER NOT NULL DEFAULT 0,
  pruned_at           INTEGER
);

INSERT INTO outbox_retention (singleton) VALUES (1);
