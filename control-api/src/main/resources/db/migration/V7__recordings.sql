-- Recordings of meetings. Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
-- node_id is the node (data/node-id) that records: at start a node fails its own recordings that a crash cut
-- off, so they never block their meeting. active_meeting_id holds the meeting id while the recording runs and is null afterwards: its unique index
-- makes a second concurrent recording of one meeting fail in the database, not only in the check before it.
CREATE TABLE recordings (
    id                VARCHAR(36)              NOT NULL PRIMARY KEY,
    meeting_id        VARCHAR(36)              NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    active_meeting_id VARCHAR(36),
    room              VARCHAR(64)              NOT NULL,
    node_id           VARCHAR(36)              NOT NULL,
    status            VARCHAR(16)              NOT NULL,
    started_by        VARCHAR(36),
    started_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    stopped_at        TIMESTAMP WITH TIME ZONE,
    duration_ms       BIGINT,
    bytes             BIGINT                   NOT NULL DEFAULT 0,
    files_expected    INTEGER,
    files_uploaded    INTEGER                  NOT NULL DEFAULT 0,
    tracks            VARCHAR,
    failure_reason    VARCHAR(1000),
    CONSTRAINT recordings_status_check CHECK (status IN ('recording', 'stopped', 'completed', 'failed'))
);
CREATE UNIQUE INDEX recordings_active_unique ON recordings (active_meeting_id);
CREATE INDEX recordings_meeting ON recordings (meeting_id, started_at);
