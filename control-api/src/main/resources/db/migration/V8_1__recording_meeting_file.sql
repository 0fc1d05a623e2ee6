-- The one-file meeting recording made at the stop: where it is stored, or why there is none (ffmpeg not
-- installed, ffmpeg failed). Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
ALTER TABLE recordings ADD COLUMN meeting_file_key VARCHAR(200);
ALTER TABLE recordings ADD COLUMN meeting_file_bytes BIGINT;
ALTER TABLE recordings ADD COLUMN meeting_file_missing VARCHAR(1000);
