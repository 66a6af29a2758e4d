-- Which plan each user is on, and how much of each per-period allowance they have used.

-- No row means the free plan. Billing (Stripe, Telegram Stars, admin grants) writes here.
CREATE TABLE user_plans (
    user_id     bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    plan_code   text NOT NULL,
    source      text NOT NULL,                  -- 'stripe', 'stars' or 'admin'
    expires_at  timestamptz,                    -- NULL: until cancelled
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per user, allowance and period (a day or a month, by its first day).
CREATE TABLE usage_counters (
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    allowance     text NOT NULL,
    period_start  date NOT NULL,
    used          integer NOT NULL CHECK (used >= 0),
    PRIMARY KEY (user_id, allowance, period_start)
);
