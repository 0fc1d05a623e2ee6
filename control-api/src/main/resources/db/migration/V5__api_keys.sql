-- API keys for integrators. The secret must be readable to verify HS256 join tokens, so it is stored
-- encrypted (AES-256-GCM under a key derived from the server secret, the key id as associated data).

CREATE TABLE api_keys (
    id                VARCHAR(32)              NOT NULL PRIMARY KEY,
    name              VARCHAR                  NOT NULL,
    secret_ciphertext VARCHAR(200)             NOT NULL,
    webhook_url       VARCHAR,
    created_by        VARCHAR(36),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at        TIMESTAMP WITH TIME ZONE
);
