-- Recurring ingestion. A schedule is the truth about when its pipeline runs: any worker fires a due
-- one inside a write transaction, and every occurrence it decides on (fired, skipped as missed or
-- for overlap, triggered by hand) is one schedule_runs row, unique per (schedule, occurrence
-- instant), written in the same transaction as the job it creates: a retried pass or a crash
-- between deciding and inserting can never make two jobs of one occurrence, nor lose one.
-- Instants are integer milliseconds since the Unix epoch; JSON is text; booleans are 0/1.
CREATE TABLE schedules (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  name                TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  pipeline            TEXT    NOT NULL CHECK (length(pipeline) BETWEEN 1 AND 200),
  scope               TEXT    NOT NULL CHECK (json_valid(scope)),
  scope_key           TEXT    NOT NULL,
  params              TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
  priority            INTEGER NOT NULL DEFAULT 0,
  max_attempts        INTEGER CHECK (max_attempts >= 1),
  force_republish     INTEGER NOT NULL DEFAULT 0,
  cron                TEXT,
  time_zone           TEXT    NOT NULL DEFAULT 'UTC',
  interval_seconds    INTEGER CHECK (interval_seconds >= 1),
  start_at            INTEGER,
  end_at              INTEGER,
  jitter_seconds      INTEGER NOT NULL DEFAULT 0 CHECK (jitter_seconds >= 0),
  missed_policy       TEXT    NOT NULL DEFAULT 'skip' CHECK (missed_policy IN ('skip', 'latest', 'all')),
  max_catchup         INTEGER NOT NULL DEFAULT 10 CHECK (max_catchup >= 1),
  overlap_policy      TEXT    NOT NULL DEFAULT 'allow' CHECK (overlap_policy IN ('allow', 'skip', 'buffer_one')),
  enabled             INTEGER NOT NULL DEFAULT 1,
  paused_at           INTEGER,
  paused_reason       TEXT,
  paused_until        INTEGER,
  next_run_at         INTEGER,
  fire_at             INTEGER,
  buffered_at         INTEGER,
  last_occurrence_at  INTEGER,
  last_job_id         INTEGER,
  origin              TEXT    NOT NULL DEFAULT 'api' CHECK (origin IN ('api', 'file')),
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  deleted_at          INTEGER,
  CHECK ((cron IS NULL) <> (interval_seconds IS NULL)),
  CHECK ((paused_at IS NULL) = (paused_reason IS NULL))
);

CREATE UNIQUE INDEX schedules_name_key ON schedules (name) WHERE deleted_at IS NULL;
CREATE INDEX schedules_due_idx ON schedules (fire_at) WHERE deleted_at IS NULL AND enabled = 1;
CREATE INDEX schedules_buffered_idx ON schedules (buffered_at) WHERE buffered_at IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE schedule_runs (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  schedule_id         INTEGER NOT NULL REFERENCES schedules (id),
  occurrence_at       INTEGER NOT NULL,
  kind                TEXT    NOT NULL CHECK (kind IN ('fired', 'triggered', 'skipped_missed', 'skipped_overlap')),
  due_at              INTEGER,
  decided_at          INTEGER NOT NULL,
  job_id              INTEGER REFERENCES ingestion_jobs (id),
  last_occurrence_at  INTEGER,
  skipped_count       INTEGER NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
  skipped_count_exact INTEGER NOT NULL DEFAULT 1,
  reason              TEXT
);

CREATE UNIQUE INDEX schedule_runs_occurrence_key ON schedule_runs (schedule_id, occurrence_at);
CREATE INDEX schedule_runs_schedule_id_idx ON schedule_runs (schedule_id, id DESC);
