-- Per-pipeline limits on jobs running at once, across every worker (docs/adr/0020). A pipeline
-- without a row has no limit; the claim reads this table, so a limit holds for any number of workers.
CREATE TABLE pipeline_limits (
  pipeline     text PRIMARY KEY,
  max_running  integer NOT NULL CHECK (max_running > 0),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Pending jobs by pipeline: a claim finds the next due jobs of a limited pipeline here, without
-- walking the other pipelines' backlog in the claim's own index. Running and finished jobs have no
-- entry, so a claim or a settle never writes to it; an enqueue writes one entry.
CREATE INDEX ingestion_jobs_pending_pipeline_idx
  ON ingestion_jobs (pipeline, priority DESC, next_retry_at, id) WHERE state = 'pending';

-- Called by the claim (src/adapters/storage/postgres/queries/claim-jobs.ts) for each limited pipeline,
-- in pipeline order: how many of its jobs the claim may take. None when it has no due job, or when
-- it is at its limit (then it costs the claim no lock). Otherwise it locks the pipeline's limit row
-- until the claim commits, then counts its running jobs again (expired leases included: those are
-- rescued, and still run once).
-- VOLATILE on purpose: under READ COMMITTED each query of a volatile function takes a fresh
-- snapshot, so the count after the lock sees every claim that committed while this one waited. A
-- count in the claim statement itself sees only what had committed when the statement began, and
-- two claimers could each take the last free slot.
CREATE FUNCTION pipeline_free_slots(limited_pipeline text) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  ceiling integer;
  running integer;
BEGIN
  PERFORM 1 FROM ingestion_jobs
  WHERE state = 'pending' AND pipeline = limited_pipeline AND next_retry_at <= now() LIMIT 1;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  -- Unlocked first: a pipeline at its limit, the usual state of a hanging source, is passed over
  -- without making other claims wait.
  SELECT max_running INTO ceiling FROM pipeline_limits WHERE pipeline = limited_pipeline;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  SELECT count(*) INTO running FROM ingestion_jobs WHERE lease_until IS NOT NULL AND pipeline = limited_pipeline;
  IF running >= ceiling THEN
    RETURN 0;
  END IF;
  SELECT max_running INTO ceiling FROM pipeline_limits WHERE pipeline = limited_pipeline FOR UPDATE;
  -- The limit was removed after the claim began: take none this time, the next claim sees no limit.
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  SELECT count(*) INTO running FROM ingestion_jobs WHERE lease_until IS NOT NULL AND pipeline = limited_pipeline;
  RETURN greatest(ceiling - running, 0);
END
$$;
