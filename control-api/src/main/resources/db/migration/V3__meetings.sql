-- Meetings and the persisted participant history. Runs on H2 (PostgreSQL mode) and PostgreSQL 15.

CREATE TABLE meetings (
    id                VARCHAR(36)              NOT NULL PRIMARY KEY,
    room              VARCHAR(64)              NOT NULL,
    title             VARCHAR                  NOT NULL,
    host_id           VARCHAR(36)              REFERENCES users (id) ON DELETE SET NULL,
    scheduled_start   TIMESTAMP WITH TIME ZONE,
    scheduled_end     TIMESTAMP WITH TIME ZONE,
    guests_allowed    BOOLEAN                  NOT NULL,
    password_hash     VARCHAR(200),
    lobby             BOOLEAN                  NOT NULL,
    recording_allowed BOOLEAN                  NOT NULL,
    max_participants  INTEGER                  NOT NULL,
    status            VARCHAR(16)              NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at          TIMESTAMP WITH TIME ZONE,
    CONSTRAINT meetings_status_check CHECK (status IN ('scheduled', 'live', 'ended'))
);
CREATE UNIQUE INDEX meetings_room_unique ON meetings (room);
CREATE INDEX meetings_host ON meetings (host_id);

-- One row per presence of a participant in a room; left_at is null while they are in it.
-- meeting_id is null for rooms integrators open with API-key tokens, which have no meeting record.
CREATE TABLE participant_sessions (
    id             VARCHAR(36)              NOT NULL PRIMARY KEY,
    room           VARCHAR(64)              NOT NULL,
    meeting_id     VARCHAR(36)              REFERENCES meetings (id) ON DELETE SET NULL,
    participant_id VARCHAR                  NOT NULL,
    identity       VARCHAR                  NOT NULL,
    name           VARCHAR                  NOT NULL,
    joined_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    left_at        TIMESTAMP WITH TIME ZONE
);
CREATE INDEX participant_sessions_room ON participant_sessions (room, participant_id);
CREATE INDEX participant_sessions_meeting ON participant_sessions (meeting_id);
CREATE INDEX participant_sessions_identity ON participant_sessions (identity);
