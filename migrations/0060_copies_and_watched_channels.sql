-- Copy detection and competitors (issue 11): public channels users watch, their posts as the
-- web preview shows them, fingerprints of tracked and watched posts with an index of LSH bands,
-- and what users said about reported copies.

CREATE TABLE watched_channels (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username          text NOT NULL UNIQUE,              -- lower-case, without @
    title             text NOT NULL,
    subscribers       integer,
    added_at          timestamptz NOT NULL,
    last_read_at      timestamptz
);

CREATE TABLE channel_watchers (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    watched_id  bigint NOT NULL REFERENCES watched_channels (id) ON DELETE CASCADE,
    added_at    timestamptz NOT NULL,
    ignored     boolean NOT NULL DEFAULT false,          -- "Ignore this channel": no copy alerts
    PRIMARY KEY (user_id, watched_id)
);
CREATE INDEX channel_watchers_watched ON channel_watchers (watched_id);

CREATE TABLE watched_posts (
    watched_id       bigint NOT NULL REFERENCES watched_channels (id) ON DELETE CASCADE,
    message_id       bigint NOT NULL,
    posted_at        timestamptz NOT NULL,
    text             text NOT NULL DEFAULT '',
    views            integer,
    forwarded_from   text,                                -- the preview's "Forwarded from"
    read_at          timestamptz NOT NULL,
    PRIMARY KEY (watched_id, message_id)
);
CREATE INDEX watched_posts_time ON watched_posts (watched_id, posted_at);

-- Subscriber counts of watched channels over time, for growth in /compare.
CREATE TABLE watched_snapshots (
    watched_id   bigint NOT NULL REFERENCES watched_channels (id) ON DELETE CASCADE,
    taken_at     timestamptz NOT NULL,
    subscribers  integer NOT NULL,
    PRIMARY KEY (watched_id, taken_at)
);

-- One row per fingerprint of a tracked channel's post. signature: a text's MinHash values, or a
-- photo's two dHashes; bands: the LSH band hashes, indexed with GIN so near matches are the rows
-- sharing a band, found without a scan. Watched posts are compared as they are read, not kept.
CREATE TABLE post_fingerprints (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id   bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id   bigint NOT NULL,
    posted_at    timestamptz NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('text', 'photo')),
    variant      smallint NOT NULL DEFAULT 0,            -- photos: the whole, then its crops
    signature    bigint[] NOT NULL,
    bands        bigint[] NOT NULL,
    UNIQUE (channel_id, message_id, kind, variant)
);
CREATE INDEX post_fingerprints_bands ON post_fingerprints USING gin (bands);

-- "Not a copy": this pair is never reported to this user again.
CREATE TABLE copy_dismissals (
    user_id              bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id           bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id           bigint NOT NULL,
    watched_id           bigint NOT NULL REFERENCES watched_channels (id) ON DELETE CASCADE,
    watched_message_id   bigint NOT NULL,
    dismissed_at         timestamptz NOT NULL,
    PRIMARY KEY (user_id, channel_id, message_id, watched_id, watched_message_id)
);

-- Copies are an alert kind: a rule per owner and tracked channel, paused like any other.
ALTER TABLE alert_rules DROP CONSTRAINT alert_rules_kind_check;
ALTER TABLE alert_rules ADD CONSTRAINT alert_rules_kind_check CHECK (kind IN (
    'subscriber_drop', 'subscriber_surge', 'milestone', 'post_views', 'post_underperforms',
    'reaction_spike', 'unsubscribe_spike', 'posting_gap', 'source_burst', 'copy'));
