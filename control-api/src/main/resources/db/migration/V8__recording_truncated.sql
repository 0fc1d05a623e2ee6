-- A recording that a crash cut off and the restarted node finalized from what was written: it is completed, and
-- truncated says it ends at the crash rather than at a stop. Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
ALTER TABLE recordings ADD COLUMN truncated BOOLEAN NOT NULL DEFAULT FALSE;
