-- A snapshot whose body was cut off (the fetch's total deadline ran out while it arrived): kept for
-- diagnosis, never parsed, and never the source of validators for a conditional request.
ALTER TABLE raw_snapshots ADD COLUMN truncated boolean NOT NULL DEFAULT false;
