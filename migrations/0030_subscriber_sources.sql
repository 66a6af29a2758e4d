-- Where subscribers come from: the channel's invite links, and the source of each join and
-- leave. A subscriber is known only by a keyed hash (HMAC-SHA256 with the installation's
-- secret, per channel), never by their Telegram id: enough to tie a leave to its join.

CREATE TABLE invite_links (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id            bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    -- As Telegram shows it: whole for the bot's own links, shortened ("https://t.me/+AbC…")
    -- for other admins'. NULL: a link known only by its name, from joins stored before links.
    url                   text,
    name                  text,
    made_by_bot           boolean NOT NULL DEFAULT false,
    created_by            bigint REFERENCES users (id) ON DELETE SET NULL,  -- through /links
    created_at            timestamptz NOT NULL,
    expire_date           timestamptz,
    member_limit          integer CHECK (member_limit BETWEEN 1 AND 99999),
    creates_join_request  boolean NOT NULL DEFAULT false,
    auto_approve          boolean NOT NULL DEFAULT false,
    welcome_text          text CHECK (length(welcome_text) <= 1000),
    revoked_at            timestamptz,
    -- What the campaign cost, in the currency's minor units (cents, kopecks).
    cost_minor            bigint CHECK (cost_minor >= 0),
    currency              text CHECK (currency ~ '^[A-Z]{3}$'),
    CHECK ((cost_minor IS NULL) = (currency IS NULL)),
    CHECK (NOT auto_approve OR creates_join_request),
    UNIQUE (channel_id, url)
);
CREATE INDEX invite_links_creator ON invite_links (created_by) WHERE made_by_bot;

ALTER TABLE subscriber_events
    ADD COLUMN source text NOT NULL DEFAULT 'organic'
        CHECK (source IN ('link', 'folder', 'request', 'organic', 'unknown')),
    ADD COLUMN invite_link_id bigint REFERENCES invite_links (id) ON DELETE SET NULL,
    ADD COLUMN subscriber_hash bytea CHECK (length(subscriber_hash) = 32),
    -- A leave: the join it ends (the subscriber's latest before it), whose source it takes.
    ADD COLUMN joined_event_id bigint;

-- Joins stored before: a named link becomes a link known by its name; leaves, no join known.
INSERT INTO invite_links (channel_id, name, created_at)
SELECT channel_id, invite_link_name, min(occurred_at)
  FROM subscriber_events
 WHERE invite_link_name IS NOT NULL AND kind = 'join'
 GROUP BY channel_id, invite_link_name;
UPDATE subscriber_events e
   SET source = 'link', invite_link_id = l.id
  FROM invite_links l
 WHERE e.kind = 'join' AND e.invite_link_name IS NOT NULL
   AND l.channel_id = e.channel_id AND l.url IS NULL AND l.name = e.invite_link_name;
UPDATE subscriber_events SET source = 'unknown' WHERE kind = 'leave';

CREATE INDEX subscriber_events_subscriber ON subscriber_events (channel_id, subscriber_hash, id)
    WHERE kind = 'join' AND subscriber_hash IS NOT NULL;
CREATE INDEX subscriber_events_joined ON subscriber_events (joined_event_id)
    WHERE joined_event_id IS NOT NULL;
CREATE INDEX subscriber_events_link ON subscriber_events (invite_link_id)
    WHERE invite_link_id IS NOT NULL;
