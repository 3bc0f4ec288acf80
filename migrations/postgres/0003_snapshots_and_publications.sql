-- Raw responses, normalized results and publications.

-- Response bodies, stored once per sha256 of the original bytes, gzip-compressed.
CREATE TABLE snapshot_bodies (
  sha256              text        PRIMARY KEY,
  encoding            text        NOT NULL CHECK (encoding IN ('gzip')),
  size                bigint      NOT NULL,
  content             bytea       NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now()
);

-- One row per fetched resource per attempt; never updated or deleted by the service.
CREATE TABLE raw_snapshots (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id              bigint      NOT NULL REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  attempt_number      integer     NOT NULL,
  pipeline            text        NOT NULL,
  scope_key           text        NOT NULL,
  resource_type       text        NOT NULL,
  resource_key        text        NOT NULL,
  method              text        NOT NULL,
  url                 text        NOT NULL,
  status              integer     NOT NULL,
  not_modified        boolean     NOT NULL DEFAULT false,
  etag                text,
  last_modified       text,
  content_type        text,
  size                bigint      NOT NULL,
  sha256              text        NOT NULL REFERENCES snapshot_bodies (sha256),
  fetched_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT raw_snapshots_attempt_resource_key
    UNIQUE (job_id, attempt_number, resource_type, resource_key, sha256)
);

CREATE INDEX raw_snapshots_job_idx ON raw_snapshots (job_id, attempt_number, id);
-- The previous snapshot of a resource, for conditional GET.
CREATE INDEX raw_snapshots_resource_idx ON raw_snapshots (pipeline, resource_type, resource_key, id DESC);

CREATE TABLE normalized_results (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id                  bigint      NOT NULL UNIQUE REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  attempt_number          integer     NOT NULL,
  pipeline                text        NOT NULL,
  scope_key               text        NOT NULL,
  source_snapshot_hash    text        NOT NULL,
  normalized_hash         text        NOT NULL,
  parser_version          text        NOT NULL,
  normalizer_version      text        NOT NULL,
  -- Lineage: the snapshots parse read, so the result can be re-derived without fetching.
  source_snapshot_ids     jsonb       NOT NULL,
  payload                 jsonb       NOT NULL,
  record_count            integer     NOT NULL,
  publication_decision    text        NOT NULL CHECK (publication_decision IN ('PUBLISH_FORCED', 'SKIP_NO_CHANGE', 'PUBLISH_CHANGED')),
  publication_reason      text        NOT NULL,
  change_classification   text        NOT NULL
                          CHECK (change_classification IN ('REPUBLISH_FORCED', 'NO_CHANGE', 'NORMALIZATION_CHANGED', 'CONTENT_CHANGED')),
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE published_results (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id                  bigint      NOT NULL UNIQUE REFERENCES ingestion_jobs (id),
  pipeline                text        NOT NULL,
  scope_key               text        NOT NULL,
  scope                   jsonb       NOT NULL,
  version                 integer     NOT NULL CHECK (version >= 1),
  supersedes              bigint      REFERENCES published_results (id),
  source_snapshot_hash    text        NOT NULL,
  normalized_hash         text        NOT NULL,
  envelope_hash           text        NOT NULL,
  publication_decision    text        NOT NULL,
  publication_reason      text        NOT NULL,
  change_classification   text        NOT NULL,
  envelope                jsonb       NOT NULL,
  published_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT published_results_scope_version_key UNIQUE (pipeline, scope_key, version)
);

CREATE INDEX published_results_latest_idx ON published_results (pipeline, scope_key, version DESC);
CREATE INDEX published_results_scope_idx ON published_results USING gin (scope jsonb_path_ops);
