-- AI insights: each channel's views model, kept so a restart does not retrain every channel,
-- and the owners who asked for the weekly digest.

-- One row per channel: the fitted predictor (pickled by the bot itself), its figures and
-- effects as JSON, and how much it learnt from, which says when enough is new to retrain.
CREATE TABLE insight_models (
    channel_id    bigint PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    trained_at    timestamptz NOT NULL,
    posts         integer NOT NULL CHECK (posts >= 0),
    observations  integer NOT NULL CHECK (observations >= 0),
    model         bytea NOT NULL,
    summary       jsonb NOT NULL
);

-- A row means the owner gets the digest every Monday at 9:00 in their time zone; last_week is
-- the Monday of the latest one sent, so each week's goes once, whichever process sends it.
CREATE TABLE insight_digests (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    last_week  date
);
