"""Billing records: Stripe customers and subscriptions, payments, processed Stripe events."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg

from db.plans import PlansRepository
from db.repository import found
from services.domain.billing import (
    BillingOverview,
    PayingUsers,
    PaymentRecord,
    Revenue,
    SubscriptionRecord,
)

_SUBSCRIPTION_COLUMNS = (
    "id, user_id, customer_id, plan_code, status, current_period_end, cancel_at_period_end, "
    "last_event_at, last_event_rank"
)
_PAYMENT_COLUMNS = (
    "id, user_id, rail, external_id, plan_code, amount, currency, status, period_end, "
    "occurred_at, refunded_at"
)


class BillingRepository:
    """Billing SQL; `transaction()` gives one bound to a connection, with `plans` beside it."""

    def __init__(self, db: asyncpg.Pool | asyncpg.Connection) -> None:
        self._db = db
        self.plans = PlansRepository(db)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator["BillingRepository"]:
        if not isinstance(self._db, asyncpg.Pool):
            raise RuntimeError("already inside a transaction")
        async with self._db.acquire() as conn, conn.transaction():
            yield BillingRepository(conn)

    # ----------------------------------------------------------------- Stripe events

    async def mark_event_processed(self, *, event_id: str, event_type: str, at: datetime) -> bool:
        """True the first time an event id is seen; a concurrent duplicate waits, then is False."""
        inserted = await self._db.fetchval(
            """
            INSERT INTO processed_stripe_events (id, type, processed_at) VALUES ($1, $2, $3)
            ON CONFLICT (id) DO NOTHING
            RETURNING true
            """,
            event_id,
            event_type,
            at,
        )
        return bool(inserted)

    # ----------------------------------------------------------------- customers

    async def customer_id_of(self, *, user_id: int) -> str:
        customer_id = await self._db.fetchval(
            "SELECT customer_id FROM stripe_customers WHERE user_id = $1", user_id
        )
        return found(customer_id, f"Stripe customer of user {user_id}")

    async def user_of_customer(self, *, customer_id: str) -> int:
        user_id = await self._db.fetchval(
            "SELECT user_id FROM stripe_customers WHERE customer_id = $1", customer_id
        )
        return found(user_id, f"user of Stripe customer {customer_id}")

    async def save_customer(self, *, user_id: int, customer_id: str) -> str:
        """Link a customer to the user unless one is linked already; returns the linked one."""
        return await self._db.fetchval(
            """
            WITH inserted AS (
                INSERT INTO stripe_customers (user_id, customer_id) VALUES ($1, $2)
                ON CONFLICT DO NOTHING
                RETURNING customer_id
            )
            SELECT customer_id FROM inserted
             UNION ALL
            SELECT customer_id FROM stripe_customers WHERE user_id = $1
             LIMIT 1
            """,
            user_id,
            customer_id,
        )

    # ----------------------------------------------------------------- subscriptions

    async def subscription_for_update(self, *, subscription_id: str) -> SubscriptionRecord:
        """The subscription, locked until the transaction ends (events for it take turns)."""
        row = await self._db.fetchrow(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM stripe_subscriptions WHERE id = $1 FOR UPDATE",
            subscription_id,
        )
        return SubscriptionRecord(**dict(found(row, f"subscription {subscription_id}")))

    async def subscriptions_of(self, *, user_id: int) -> list[SubscriptionRecord]:
        rows = await self._db.fetch(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM stripe_subscriptions WHERE user_id = $1",
            user_id,
        )
        return [SubscriptionRecord(**dict(row)) for row in rows]

    async def save_subscription(self, subscription: SubscriptionRecord) -> None:
        await self._db.execute(
            """
            INSERT INTO stripe_subscriptions AS s (
                id, user_id, customer_id, plan_code, status, current_period_end,
                cancel_at_period_end, last_event_at, last_event_rank
            )
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (id) DO UPDATE
               SET user_id = EXCLUDED.user_id, customer_id = EXCLUDED.customer_id,
                   plan_code = EXCLUDED.plan_code, status = EXCLUDED.status,
                   current_period_end = EXCLUDED.current_period_end,
                   cancel_at_period_end = EXCLUDED.cancel_at_period_end,
                   last_event_at = EXCLUDED.last_event_at,
                   last_event_rank = EXCLUDED.last_event_rank,
                   updated_at = now()
            """,
            subscription.id,
            subscription.user_id,
            subscription.customer_id,
            subscription.plan_code,
            subscription.status,
            subscription.current_period_end,
            subscription.cancel_at_period_end,
            subscription.last_event_at,
            subscription.last_event_rank,
        )

    async def set_cancel_at_period_end(self, *, subscription_id: str, cancel: bool) -> None:
        """Only this flag: the rest of the subscription still follows its events."""
        await self._db.execute(
            """
            UPDATE stripe_subscriptions SET cancel_at_period_end = $2, updated_at = now()
             WHERE id = $1
            """,
            subscription_id,
            cancel,
        )

    # ----------------------------------------------------------------- payments

    async def record_payment(
        self,
        *,
        user_id: int,
        rail: str,
        external_id: str,
        plan_code: str | None,
        amount: int,
        currency: str,
        status: str,
        period_end: datetime | None,
        occurred_at: datetime,
    ) -> bool:
        """Store a payment once per rail and id; a failed one may later turn paid, not back.

        Returns whether anything changed.
        """
        changed = await self._db.fetchval(
            """
            INSERT INTO payments AS p (
                user_id, rail, external_id, plan_code, amount, currency, status, period_end,
                occurred_at
            )
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (rail, external_id) DO UPDATE
               SET status = EXCLUDED.status, amount = EXCLUDED.amount,
                   period_end = EXCLUDED.period_end, occurred_at = EXCLUDED.occurred_at
             WHERE p.status = 'failed'
            RETURNING true
            """,
            user_id,
            rail,
            external_id,
            plan_code,
            amount,
            currency,
            status,
            period_end,
            occurred_at,
        )
        return bool(changed)

    async def payment(self, *, rail: str, external_id: str) -> PaymentRecord:
        row = await self._db.fetchrow(
            f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE rail = $1 AND external_id = $2",
            rail,
            external_id,
        )
        return PaymentRecord(**dict(found(row, f"{rail} payment {external_id}")))

    async def mark_refunded(self, *, payment_id: int, at: datetime) -> bool:
        """True if this call refunded it (False: it was refunded already)."""
        refunded = await self._db.fetchval(
            """
            UPDATE payments SET status = 'refunded', refunded_at = $2
             WHERE id = $1 AND status <> 'refunded'
            RETURNING true
            """,
            payment_id,
            at,
        )
        return bool(refunded)

    # ----------------------------------------------------------------- admin

    async def overview(self, *, now: datetime, revenue_since: datetime) -> BillingOverview:
        users = await self._db.fetchval("SELECT count(*) FROM users")
        paying = await self._db.fetch(
            """
            SELECT plan_code, source, count(*) AS users
              FROM user_plans
             WHERE expires_at IS NULL OR expires_at > $1
             GROUP BY plan_code, source
             ORDER BY plan_code, source
            """,
            now,
        )
        revenue = await self._db.fetch(
            """
            SELECT currency, sum(amount)::bigint AS amount, count(*) AS payments
              FROM payments
             WHERE status = 'paid' AND occurred_at > $1
             GROUP BY currency
             ORDER BY currency
            """,
            revenue_since,
        )
        return BillingOverview(
            users=users,
            paying=[PayingUsers(**dict(row)) for row in paying],
            revenue=[Revenue(**dict(row)) for row in revenue],
        )
