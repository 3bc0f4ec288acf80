-- A snapshot whose body was cut off (the fetch's total deadline ran out while it arrived): kept for
-- diagnosis, never parsed, and never the source of validators for a conditional request.
-- Numbered as on PostgreSQL, whose 0005 has no SQLite counterpart.
ALTER TABLE raw_snapshots ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1));
