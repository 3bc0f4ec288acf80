-- Recurring ingestion. A schedule is the truth about when its pipeline runs: any worker fires a due
-- one by locking its row, and every occurrence it decides on (fired, skipped as missed or for
-- overlap, triggered by hand) is one schedule_runs row, unique per (schedule, occurrence instant),
-- written in the same transaction as the job it creates: a double claim, a retried pass or a crash
-- between deciding and inserting can never make two jobs of one occurrence, nor lose one.
CREATE TABLE schedules (
  id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  pipeline            text        NOT NULL CHECK (length(pipeline) BETWEEN 1 AND 200),
  scope               jsonb       NOT NULL,
  scope_key           text        NOT NULL,
  params              jsonb       NOT NULL DEFAULT '{}',
  priority            integer     NOT NULL DEFAULT 0,
  -- NULL: the service's default (WORKER_MAX_ATTEMPTS) when the job is made.
  max_attempts        integer     CHECK (max_attempts >= 1),
  force_republish     boolean     NOT NULL DEFAULT false,
  cron                text,
  time_zone           text        NOT NULL DEFAULT 'UTC',
  interval_seconds    integer     CHECK (interval_seconds >= 1),
  start_at            timestamptz,
  end_at              timestamptz,
  jitter_seconds      integer     NOT NULL DEFAULT 0 CHECK (jitter_seconds >= 0),
  missed_policy       text        NOT NULL DEFAULT 'skip' CHECK (missed_policy IN ('skip', 'latest', 'all')),
  max_catchup         integer     NOT NULL DEFAULT 10 CHECK (max_catchup >= 1),
  overlap_policy      text        NOT NULL DEFAULT 'allow' CHECK (overlap_policy IN ('allow', 'skip', 'buffer_one')),
  enabled             boolean     NOT NULL DEFAULT true,
  paused_at           timestamptz,
  paused_reason       text,
  paused_until        timestamptz,
  -- The first occurrence not yet decided on, and when it fires (its jitter added); NULL once none is left.
  next_run_at         timestamptz,
  fire_at             timestamptz,
  -- overlap_policy buffer_one: the occurrence held until the previous job ends.
  buffered_at         timestamptz,
  last_occurrence_at  timestamptz,
  last_job_id         bigint,
  -- 'file': declared in SCHEDULES_FILE and kept in line with it; 'api': left alone by the file.
  origin              text        NOT NULL DEFAULT 'api' CHECK (origin IN ('api', 'file')),
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  -- Deleted schedules stay, with their runs, as history; their name is free for a new one.
  deleted_at          timestamptz,
  CHECK ((cron IS NULL) <> (interval_seconds IS NULL)),
  CHECK ((paused_at IS NULL) = (paused_reason IS NULL))
);

CREATE UNIQUE INDEX schedules_name_key ON schedules (name) WHERE deleted_at IS NULL;
-- What a firing pass reads: live schedules by fire time, and those holding a buffered occurrence.
CREATE INDEX schedules_due_idx ON schedules (fire_at) WHERE deleted_at IS NULL AND enabled;
CREATE INDEX schedules_buffered_idx ON schedules (buffered_at) WHERE buffered_at IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE schedule_runs (
  id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  schedule_id         bigint      NOT NULL REFERENCES schedules (id),
  occurrence_at       timestamptz NOT NULL,
  kind                text        NOT NULL CHECK (kind IN ('fired', 'triggered', 'skipped_missed', 'skipped_overlap')),
  -- The occurrence plus its jitter; NULL for a run triggered by hand.
  due_at              timestamptz,
  -- When the decision was taken, on the database's clock.
  decided_at          timestamptz NOT NULL,
  job_id              bigint      REFERENCES ingestion_jobs (id),
  -- A skipped range: occurrence_at is its first occurrence, last_occurrence_at its last.
  last_occurrence_at  timestamptz,
  skipped_count       integer     NOT NULL DEFAULT 0 CHECK (skipped_count >= 0),
  skipped_count_exact boolean     NOT NULL DEFAULT true,
  reason              text
);

-- One decision per occurrence, whoever takes it and however often.
CREATE UNIQUE INDEX schedule_runs_occurrence_key ON schedule_runs (schedule_id, occurrence_at);
CREATE INDEX schedule_runs_schedule_id_idx ON schedule_runs (schedule_id, id DESC);
