-- Post views over time (the Bot API has none; a views source such as the public web preview
-- supplies them), and the state of each channel's views source.

CREATE TABLE post_views (
    channel_id   bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id   bigint NOT NULL,
    observed_at  timestamptz NOT NULL,
    views        integer NOT NULL CHECK (views >= 0),
    PRIMARY KEY (channel_id, message_id, observed_at)
);
CREATE INDEX post_views_channel_time ON post_views (channel_id, observed_at);

CREATE TABLE channel_view_sources (
    channel_id      bigint PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    -- pending: never polled; ok; private: no public preview; unavailable: fetch failed;
    -- layout_changed: the page no longer parses.
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'ok', 'private', 'unavailable', 'layout_changed')),
    backfilled_at   timestamptz,
    last_polled_at  timestamptz,
    failures        integer NOT NULL DEFAULT 0,
    last_error      text
);
