-- Outbound webhooks (issue 12): endpoints, the outbox of messages to them, the delivery log,
-- and what marks an event as published once (a post's view milestones, a channel's day).

CREATE TABLE webhook_endpoints (
    id bigserial PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url text NOT NULL,
    events text[] NOT NULL,
    -- whsec_<base64>: the HMAC signing key itself, needed as it is to sign (not a password).
    secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz,
    disabled_reason text,
    owner_told_at timestamptz,
    -- A process delivering to the endpoint (or telling its owner it was disabled) holds it
    -- until then; one endpoint's messages go one at a time, in order.
    claimed_until timestamptz
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_id, id);

CREATE TABLE webhook_messages (
    id bigserial PRIMARY KEY,  -- the order events reach an endpoint in
    endpoint_id bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    webhook_id text NOT NULL UNIQUE,  -- msg_...: the same on every attempt
    event_type text NOT NULL,
    body text NOT NULL,  -- exactly the bytes signed and sent, every attempt
    created_at timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
    attempts int NOT NULL DEFAULT 0,
    first_failed_at timestamptz,
    delivered_at timestamptz
);
CREATE INDEX webhook_messages_pending ON webhook_messages (endpoint_id, id)
    WHERE delivered_at IS NULL;

CREATE TABLE webhook_attempts (
    id bigserial PRIMARY KEY,
    message_id bigint NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    endpoint_id bigint NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL,
    status_code int,
    latency_ms int NOT NULL,
    error text,
    succeeded boolean NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id DESC);

-- post.views is published once per post at each age (1 h, 24 h, 48 h).
CREATE TABLE webhook_post_milestones (
    channel_id bigint NOT NULL,
    message_id bigint NOT NULL,
    hours int NOT NULL,
    PRIMARY KEY (channel_id, message_id, hours),
    FOREIGN KEY (channel_id, message_id) REFERENCES posts (channel_id, message_id) ON DELETE CASCADE
);

-- subscribers.daily is published once per channel and (UTC) day.
CREATE TABLE webhook_daily_reports (
    channel_id bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    day date NOT NULL,
    PRIMARY KEY (channel_id, day)
);
