-- Share links: a public, read-only report of one channel and period, until it expires or is
-- revoked. Only a SHA-256 of the token is kept, so a database leak reveals no working link.

CREATE TABLE share_links (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_sha256    bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id      bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    days            integer NOT NULL CHECK (days > 0),
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz,                   -- NULL: no expiry
    revoked_at      timestamptz,
    open_count      integer NOT NULL DEFAULT 0,
    last_opened_at  timestamptz
);
CREATE INDEX share_links_user_live ON share_links (user_id, created_at) WHERE revoked_at IS NULL;
