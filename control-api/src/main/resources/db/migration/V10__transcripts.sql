-- Live captions: the meeting setting, and what the AI bridge heard. Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
-- Times are milliseconds from the meeting's start (its first join), so a transcript reads like a recording's clock.
ALTER TABLE meetings ADD COLUMN captions BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE transcript_segments (
    id               VARCHAR(36)              NOT NULL PRIMARY KEY,
    meeting_id       VARCHAR(36)              NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    participant_id   VARCHAR(64)              NOT NULL,
    participant_name VARCHAR(200)             NOT NULL,
    start_ms         BIGINT                   NOT NULL,
    end_ms           BIGINT                   NOT NULL,
    segment_text     VARCHAR                  NOT NULL,
    confidence       DOUBLE PRECISION,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX transcript_segments_meeting ON transcript_segments (meeting_id, start_ms);

-- scores holds every label's score as a JSON object text (the label with the highest is label/score).
CREATE TABLE emotion_samples (
    id               VARCHAR(36)              NOT NULL PRIMARY KEY,
    meeting_id       VARCHAR(36)              NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    participant_id   VARCHAR(64)              NOT NULL,
    participant_name VARCHAR(200)             NOT NULL,
    start_ms         BIGINT                   NOT NULL,
    end_ms           BIGINT                   NOT NULL,
    label            VARCHAR(64)              NOT NULL,
    score            DOUBLE PRECISION         NOT NULL,
    scores           VARCHAR,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX emotion_samples_meeting ON emotion_samples (meeting_id, start_ms);
