"""What both payment rails share: plan sources, notices to users, and the admins' tools."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from db.billing import BillingRepository
from services.bounds import INT64_MAX
from services.clock import Clock
from services.domain.billing import BillingOverview
from services.errors import not_found_as
from services.plans import PLANS, Plan

log = logging.getLogger(__name__)

# Granted plans are for trials and support cases, not forever.
MAX_GRANT_DAYS = 3650


class PlanSource(StrEnum):
    """Where the plan in user_plans comes from."""

    STRIPE = "stripe"
    STARS = "stars"
    ADMIN = "admin"


class NoticeKind(StrEnum):
    STARTED = "started"
    RENEWED = "renewed"
    RENEWAL_FAILED = "renewal_failed"
    CANCEL_SCHEDULED = "cancel_scheduled"
    ENDED = "ended"
    GRANTED = "granted"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class BillingNotice:
    """Something about a user's plan the user should hear about in Telegram."""

    user_id: int
    kind: NoticeKind
    plan: Plan
    until: datetime | None = None


class BillingNotifier(Protocol):
    async def send_notice(self, notice: BillingNotice) -> None:
        """Tell the user; a user who blocked the bot is skipped, never an error."""
        ...


class UnknownPlan(ValueError):
    """Not the code of a paid plan."""


class UnknownUser(LookupError):
    """The user never talked to the bot."""


class InvalidGrant(ValueError):
    """The number of days is out of range."""


def paid_plan(code: str) -> Plan:
    plan = PLANS.get(code.strip().lower())
    if plan is None or not plan.is_paid:
        raise UnknownPlan(code)
    return plan


def rank(plan: Plan) -> int:
    """Higher for a plan that allows more (they are priced by what they allow)."""
    return plan.price_usd_cents


async def send_notices(notifier: BillingNotifier, notices: list[BillingNotice]) -> None:
    for notice in notices:
        await notifier.send_notice(notice)


@dataclass(frozen=True)
class BillingService:
    """The admins' view of billing, plan grants, and ending plans that ran out."""

    billing: BillingRepository
    notifier: BillingNotifier
    clock: Clock

    async def overview(self) -> BillingOverview:
        """Users, paying users by plan and rail, and revenue of the last 30 days by currency."""
        now = self.clock.now()
        return await self.billing.overview(now=now, revenue_since=now - timedelta(days=30))

    async def grant(self, *, user_id: int, plan_code: str, days: int) -> BillingNotice:
        """Put the user on a paid plan for some days, whatever they had; the user is told."""
        plan = paid_plan(plan_code)
        if not 1 <= days <= MAX_GRANT_DAYS:
            raise InvalidGrant(days)
        if not 1 <= user_id <= INT64_MAX:  # no such user, and asyncpg could not send the id
            raise UnknownUser(user_id)
        until = self.clock.now() + timedelta(days=days)
        with not_found_as(UnknownUser(user_id)):
            await self.billing.plans.set_plan(
                user_id=user_id, plan_code=plan.code, source=PlanSource.ADMIN, expires_at=until
            )
        notice = BillingNotice(user_id=user_id, kind=NoticeKind.GRANTED, plan=plan, until=until)
        await self.notifier.send_notice(notice)
        return notice

    async def end_expired_plans(self) -> None:
        """Stars and granted plans just run out: drop them and tell their users.

        Stripe plans are left to Stripe's events, which say whether the subscription renewed.
        """
        ended = await self.billing.plans.end_expired(
            now=self.clock.now(), sources=[PlanSource.STARS, PlanSource.ADMIN]
        )
        await send_notices(
            self.notifier,
            [
                BillingNotice(user_id=record.user_id, kind=NoticeKind.ENDED, plan=plan)
                for record in ended
                if (plan := PLANS.get(record.plan_code)) is not None
            ],
        )
