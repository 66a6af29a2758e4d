-- Alert rules, their firings (an outbox the delivery queue drains), each user's quiet hours,
-- and aiogram's FSM state (the rule wizard), kept here so a restart loses no half-finished dialog.

CREATE TABLE alert_rules (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id     bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN (
                       'subscriber_drop', 'subscriber_surge', 'milestone', 'post_views',
                       'post_underperforms', 'reaction_spike', 'unsubscribe_spike', 'posting_gap')),
    -- Thresholds as typed columns; the CHECK below says which ones each kind uses.
    amount         integer CHECK (amount > 0),            -- subscribers, views, a milestone
    percent        numeric(7, 2) CHECK (percent > 0),
    hours          integer CHECK (hours BETWEEN 1 AND 720),
    factor         numeric(7, 2) CHECK (factor > 1),
    cooldown       interval NOT NULL DEFAULT '1 hour',     -- no second firing sooner than this
    paused         boolean NOT NULL DEFAULT false,
    muted_until    timestamptz,
    created_at     timestamptz NOT NULL,
    last_fired_at  timestamptz,
    CONSTRAINT alert_rules_thresholds_fit_kind CHECK (
        CASE kind
            WHEN 'subscriber_drop' THEN (amount IS NOT NULL OR percent IS NOT NULL)
                                        AND hours IS NOT NULL AND factor IS NULL
            WHEN 'subscriber_surge' THEN (amount IS NOT NULL OR percent IS NOT NULL)
                                         AND hours IS NOT NULL AND factor IS NULL
            WHEN 'milestone' THEN amount IS NOT NULL AND percent IS NULL AND hours IS NULL
                                  AND factor IS NULL
            WHEN 'post_views' THEN amount IS NOT NULL AND hours IS NOT NULL AND percent IS NULL
                                   AND factor IS NULL
            WHEN 'post_underperforms' THEN percent < 100 AND hours IS NOT NULL AND amount IS NULL
                                           AND factor IS NULL
            WHEN 'reaction_spike' THEN factor IS NOT NULL AND amount IS NULL AND percent IS NULL
                                       AND hours IS NULL
            WHEN 'unsubscribe_spike' THEN factor IS NOT NULL AND amount IS NULL
                                          AND percent IS NULL AND hours IS NULL
            WHEN 'posting_gap' THEN hours IS NOT NULL AND amount IS NULL AND percent IS NULL
                                    AND factor IS NULL
        END
    )
);
CREATE INDEX alert_rules_owner ON alert_rules (owner_id);
CREATE INDEX alert_rules_active_kind ON alert_rules (kind, channel_id) WHERE NOT paused;

-- One row per announced event. UNIQUE (rule_id, dedupe_key) makes "announced once" hold across
-- restarts and processes: the key names the window or the post the firing concerns.
CREATE TABLE alert_firings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id        bigint NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    dedupe_key     text NOT NULL,
    fired_at       timestamptz NOT NULL,
    details        jsonb NOT NULL,                          -- the numbers the message shows
    deliver_after  timestamptz NOT NULL,                    -- later while held (quiet hours, retry)
    claimed_until  timestamptz,                             -- a delivering process's lease
    attempts       integer NOT NULL DEFAULT 0,
    sent_at        timestamptz,
    dropped_at     timestamptz,
    drop_reason    text,
    UNIQUE (rule_id, dedupe_key)
);
CREATE INDEX alert_firings_due ON alert_firings (deliver_after)
    WHERE sent_at IS NULL AND dropped_at IS NULL;
CREATE INDEX alert_firings_rule_time ON alert_firings (rule_id, fired_at);

-- No row: no quiet hours. Times are in the user's users.time_zone; starts > ends spans midnight.
CREATE TABLE quiet_hours (
    user_id  bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    starts   time NOT NULL,
    ends     time NOT NULL,
    CHECK (starts <> ends)
);

-- aiogram's FSM storage: one row per storage key (bot, chat, user, thread, destiny).
CREATE TABLE fsm_states (
    key         text PRIMARY KEY,
    state       text,
    data        jsonb NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
