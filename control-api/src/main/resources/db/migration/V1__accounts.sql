-- Accounts and refresh-token sessions. Runs on H2 (PostgreSQL mode) and PostgreSQL 15.
-- Text columns are unbounded VARCHAR: lengths are validated (in code points) by the API.

CREATE TABLE users (
    id            VARCHAR(36)              NOT NULL PRIMARY KEY,
    email         VARCHAR                  NOT NULL,
    display_name  VARCHAR                  NOT NULL,
    password_hash VARCHAR(200)             NOT NULL,
    role          VARCHAR(16)              NOT NULL,
    disabled      BOOLEAN                  NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT users_role_check CHECK (role IN ('admin', 'host', 'participant'))
);
CREATE UNIQUE INDEX users_email_unique ON users (email);

-- One row; locked while registering so exactly one first user becomes admin.
CREATE TABLE bootstrap (
    id            INTEGER     NOT NULL PRIMARY KEY,
    admin_user_id VARCHAR(36)
);
INSERT INTO bootstrap (id, admin_user_id) VALUES (1, NULL);

-- Refresh tokens are stored as SHA-256 hex; a login starts a family, each refresh rotates within it.
CREATE TABLE refresh_tokens (
    id         VARCHAR(36)              NOT NULL PRIMARY KEY,
    family_id  VARCHAR(36)              NOT NULL,
    user_id    VARCHAR(36)              NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash VARCHAR(64)              NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    rotated_at TIMESTAMP WITH TIME ZONE,
    revoked_at TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX refresh_tokens_hash_unique ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
