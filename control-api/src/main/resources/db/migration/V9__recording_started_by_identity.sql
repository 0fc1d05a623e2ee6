-- started_by holds an account id, or the identity (sub, up to 128 characters) of a join token with a
-- canRecord grant that started the recording. Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
ALTER TABLE recordings ALTER COLUMN started_by SET DATA TYPE VARCHAR(128);
