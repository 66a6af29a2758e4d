-- Schema v1: people, channels, who administers what, and everything Telegram tells us about a channel.

CREATE TABLE users (
    id             bigint PRIMARY KEY,                 -- Telegram user id
    username       text,
    first_name     text NOT NULL DEFAULT '',
    language_code  text,
    time_zone      text NOT NULL DEFAULT 'UTC',
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channels (
    id                 bigint PRIMARY KEY,             -- Telegram chat id (-100...)
    title              text NOT NULL,
    username           text,
    is_tracked         boolean NOT NULL DEFAULT true,
    added_at           timestamptz NOT NULL DEFAULT now(),
    tracking_stopped_at timestamptz,
    admins_checked_at  timestamptz
);
CREATE INDEX channels_tracked ON channels (id) WHERE is_tracked;

-- A row means Telegram said, at verified_at, that the user administers the channel.
CREATE TABLE channel_admins (
    channel_id   bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    verified_at  timestamptz NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_admins_user ON channel_admins (user_id);

CREATE TABLE posts (
    channel_id            bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id            bigint NOT NULL,
    posted_at             timestamptz NOT NULL,
    text                  text NOT NULL DEFAULT '',
    media_kind            text,
    media_file_unique_id  text,
    media_group_id        text,
    edited_at             timestamptz,
    PRIMARY KEY (channel_id, message_id)
);
CREATE INDEX posts_channel_time ON posts (channel_id, posted_at);

-- Reaction totals as Telegram reports them over time; no FK to posts because
-- reactions arrive for posts published before tracking began.
CREATE TABLE post_reaction_counts (
    channel_id   bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id   bigint NOT NULL,
    observed_at  timestamptz NOT NULL,
    total        integer NOT NULL,
    reactions    jsonb NOT NULL,                       -- {"👍": 3, "paid": 1}
    PRIMARY KEY (channel_id, message_id, observed_at)
);
CREATE INDEX post_reaction_counts_channel_time ON post_reaction_counts (channel_id, observed_at);

-- Joins and leaves as counts in time; subscribers' identities are not ours to keep.
CREATE TABLE subscriber_events (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel_id        bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    occurred_at       timestamptz NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('join', 'leave')),
    invite_link_name  text
);
CREATE INDEX subscriber_events_channel_time ON subscriber_events (channel_id, occurred_at);

CREATE TABLE subscriber_snapshots (
    channel_id   bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    taken_at     timestamptz NOT NULL,
    subscribers  integer NOT NULL,
    PRIMARY KEY (channel_id, taken_at)
);
