-- Mini App sessions: a short-lived bearer token the dashboard gets for a validated initData.
-- Only a SHA-256 of the token is kept, so the database alone signs nobody in.

CREATE TABLE app_sessions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX app_sessions_expiry ON app_sessions (expires_at);
