"""Paying in Telegram Stars: an invoice in XTR for 30 days of a plan, and refunds by admins.

The plan starts only when Telegram reports the successful payment; the pre-checkout check
only says whether the order still makes sense.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from db.billing import BillingRepository
from db.errors import NotFound
from services.billing import (
    BillingNotice,
    BillingNotifier,
    NoticeKind,
    PlanSource,
    UnknownPlan,
    paid_plan,
)
from services.bounds import is_token
from services.clock import Clock
from services.domain.billing import PaymentRecord
from services.errors import not_found_as
from services.plans import PLANS, Plan

log = logging.getLogger(__name__)

STARS_CURRENCY = "XTR"
STARS_PERIOD = timedelta(days=30)
_PAYLOAD_PREFIX = "plan"


class InvalidOrder(ValueError):
    """The payment does not match an order the bot made for this user and plan."""


class PaymentNotFound(LookupError):
    """No Stars payment has that charge id."""


class AlreadyRefunded(Exception):
    """That payment was refunded before."""


class RefundRefused(Exception):
    """Telegram refused the refund; the message says why."""


class ChargeAlreadyRefunded(Exception):
    """Telegram says the charge was refunded already (by another admin, or support)."""


@dataclass(frozen=True)
class StarsOrder:
    """What goes into the invoice: the plan, its price in Stars, and the payload to check."""

    plan: Plan
    stars: int
    payload: str


@dataclass(frozen=True)
class StarsActivation:
    plan: Plan
    until: datetime


class StarsGateway(Protocol):
    async def refund_star_payment(self, *, user_id: int, charge_id: str) -> None:
        """Give the Stars back; raises ChargeAlreadyRefunded or RefundRefused."""
        ...


@dataclass(frozen=True)
class StarsService:
    billing: BillingRepository
    gateway: StarsGateway
    notifier: BillingNotifier
    clock: Clock

    def order(self, *, user_id: int, plan_code: str) -> StarsOrder:
        plan = paid_plan(plan_code)
        return StarsOrder(
            plan=plan, stars=plan.price_stars, payload=f"{_PAYLOAD_PREFIX}:{plan.code}:{user_id}"
        )

    def check_order(self, *, user_id: int, payload: str, currency: str, total_amount: int) -> Plan:
        """The plan being bought; raises InvalidOrder for another user's, stale or odd order."""
        prefix, _, rest = payload.partition(":")
        plan_code, _, payload_user = rest.partition(":")
        try:
            plan = paid_plan(plan_code)
        except UnknownPlan as error:
            raise InvalidOrder(f"no plan in payload {payload!r}") from error
        if prefix != _PAYLOAD_PREFIX or payload_user != str(user_id):
            raise InvalidOrder(f"payload {payload!r} is not an order of user {user_id}")
        if currency != STARS_CURRENCY or total_amount != plan.price_stars:
            raise InvalidOrder(f"{total_amount} {currency} is not the price of {plan.code}")
        return plan

    async def on_payment(
        self, *, user_id: int, payload: str, currency: str, total_amount: int, charge_id: str
    ) -> StarsActivation:
        """Start the plan (or add 30 days to the same Stars plan); once per charge id."""
        plan = self.check_order(
            user_id=user_id, payload=payload, currency=currency, total_amount=total_amount
        )
        now = self.clock.now()
        async with self.billing.transaction() as tx:
            current = await tx.plans.active_plan(user_id=user_id, now=now)
            start = now
            if (
                current is not None
                and current.source == PlanSource.STARS
                and current.plan_code == plan.code
                and current.expires_at is not None
            ):
                start = current.expires_at  # 30 more days of the same plan add up
            until = start + STARS_PERIOD
            recorded = await tx.record_payment(
                user_id=user_id,
                rail=PlanSource.STARS,
                external_id=charge_id,
                plan_code=plan.code,
                amount=total_amount,
                currency=currency,
                status="paid",
                period_end=until,
                occurred_at=now,
            )
            if not recorded:
                log.info("Stars payment %s was recorded before", charge_id)
                payment = await tx.payment(rail=PlanSource.STARS, external_id=charge_id)
                return StarsActivation(plan=plan, until=payment.period_end or until)
            await tx.plans.set_plan(
                user_id=user_id, plan_code=plan.code, source=PlanSource.STARS, expires_at=until
            )
        return StarsActivation(plan=plan, until=until)

    async def refund(self, *, charge_id: str) -> PaymentRecord:
        """Give the Stars back and end the Stars plan; the user is told."""
        if not is_token(charge_id):  # PostgreSQL refuses a NUL in text: no payment has one
            raise PaymentNotFound(charge_id)
        with not_found_as(PaymentNotFound(charge_id)):
            payment = await self.billing.payment(rail=PlanSource.STARS, external_id=charge_id)
        if payment.status == "refunded":
            raise AlreadyRefunded(charge_id)
        try:
            await self.gateway.refund_star_payment(user_id=payment.user_id, charge_id=charge_id)
        except ChargeAlreadyRefunded:
            log.info("Telegram had refunded charge %s already; recording it", charge_id)
        if not await self._record_refund(payment):
            raise AlreadyRefunded(charge_id)
        return payment

    async def on_refunded(self, *, charge_id: str) -> None:
        """Telegram reports a refund (ours, or one its support made): record it once."""
        try:
            payment = await self.billing.payment(rail=PlanSource.STARS, external_id=charge_id)
        except NotFound:
            log.warning("Telegram refunded charge %s, which we never recorded", charge_id)
            return
        await self._record_refund(payment)

    async def _record_refund(self, payment: PaymentRecord) -> bool:
        """Mark the payment refunded and end the Stars plan; False if it was refunded before."""
        async with self.billing.transaction() as tx:
            if not await tx.mark_refunded(payment_id=payment.id, at=self.clock.now()):
                return False
            await tx.plans.end_plan(user_id=payment.user_id, source=PlanSource.STARS)
        plan = PLANS.get(payment.plan_code or "")
        if plan is not None:
            await self.notifier.send_notice(
                BillingNotice(user_id=payment.user_id, kind=NoticeKind.REFUNDED, plan=plan)
            )
        return True
