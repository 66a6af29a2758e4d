-- Billing: Stripe customers and subscriptions, payments on both rails (Stripe and Telegram
-- Stars), and the Stripe events already processed. The effective plan stays in user_plans.

-- Whether the plan in user_plans renews by itself (a live Stripe subscription not set to
-- cancel) or simply ends at expires_at (Stars, admin grants, a cancelled subscription).
ALTER TABLE user_plans ADD COLUMN renews boolean NOT NULL DEFAULT false;

-- One Stripe customer per user, created on their first checkout and reused after.
CREATE TABLE stripe_customers (
    user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    customer_id  text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Each subscription as Stripe last described it. Events arrive out of order: a state is
-- applied only if its event is not older than the one applied last (created, then rank:
-- created < updated < deleted for events of the same second).
CREATE TABLE stripe_subscriptions (
    id                    text PRIMARY KEY,
    user_id               bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    customer_id           text NOT NULL,
    plan_code             text,                  -- NULL: a price that is none of our plans
    status                text NOT NULL,         -- Stripe's: active, past_due, canceled, ...
    current_period_end    timestamptz,
    cancel_at_period_end  boolean NOT NULL,
    last_event_at         timestamptz NOT NULL,
    last_event_rank       smallint NOT NULL,
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_subscriptions_user ON stripe_subscriptions (user_id);

-- Money in, on either rail: a Stripe invoice (paid or failed) or a Telegram Stars charge.
-- Amounts are in the currency's smallest unit: cents for USD, whole Stars for XTR.
CREATE TABLE payments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rail         text NOT NULL CHECK (rail IN ('stripe', 'stars')),
    external_id  text NOT NULL,                  -- Stripe invoice id, or telegram_payment_charge_id
    plan_code    text,
    amount       integer NOT NULL CHECK (amount >= 0),
    currency     text NOT NULL,                  -- 'usd', 'XTR', ...
    status       text NOT NULL CHECK (status IN ('paid', 'failed', 'refunded')),
    period_end   timestamptz,                    -- what the payment pays for, up to
    occurred_at  timestamptz NOT NULL,
    refunded_at  timestamptz,
    UNIQUE (rail, external_id)
);
CREATE INDEX payments_paid_time ON payments (occurred_at) WHERE status = 'paid';

-- Stripe retries and may send an event twice: each id is processed once, in the same
-- transaction as its effects.
CREATE TABLE processed_stripe_events (
    id            text PRIMARY KEY,
    type          text NOT NULL,
    processed_at  timestamptz NOT NULL
);
