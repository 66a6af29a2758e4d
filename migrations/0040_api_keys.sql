-- API keys for the REST API (/api in the bot): only a SHA-256 of each token is kept, so the
-- database alone authenticates nobody. A key reads, or reads and writes, its owner's channels.

CREATE TABLE api_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_sha256  bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    can_write     boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_user_live ON api_keys (user_id, created_at) WHERE revoked_at IS NULL;

-- One token bucket per caller (an API key, later a Mini App session), shared by every process.
-- Unlogged: after a crash the buckets start full, which costs nothing worth a WAL record.
CREATE UNLOGGED TABLE api_rate_buckets (
    bucket       text PRIMARY KEY,
    tokens       double precision NOT NULL,
    refilled_at  timestamptz NOT NULL,
    allowed      boolean NOT NULL  -- whether the last request took a token
);
