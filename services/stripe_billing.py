"""Card payments through Stripe: checkout, cancelling, the billing portal, Stripe's webhooks.

The stored subscription follows Stripe's latest state: events arrive late, twice or out of
order, so each id is processed once and an event older than the last one applied to its
subscription changes nothing. The plan a subscription pays for is written to user_plans in
the same transaction, so every limit lifts (or drops) at once.
"""

import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum
from functools import cached_property
from typing import Any, TypeVar

import stripe

from db.billing import BillingRepository
from db.errors import NotFound
from services.billing import (
    BillingNotice,
    BillingNotifier,
    NoticeKind,
    PlanSource,
    paid_plan,
    rank,
    send_notices,
)
from services.clock import Clock
from services.domain.billing import SubscriptionRecord
from services.errors import not_found_as
from services.plans import FREE, PLANS, Plan

log = logging.getLogger(__name__)

WEBHOOK_TOLERANCE_SECONDS = 300
# The statuses in which a subscription gives its plan. past_due: a renewal failed and Stripe
# is retrying; the plan stays until Stripe gives up and cancels.
ENTITLED_STATUSES = frozenset({"active", "trialing", "past_due"})
# Stripe never brings a subscription back from these.
FINAL_STATUSES = frozenset({"canceled", "incomplete_expired"})
# Events of the same second are ordered by what they can follow.
_EVENT_RANK = {
    "checkout.session.completed": 0,
    "customer.subscription.created": 0,
    "customer.subscription.updated": 1,
    "customer.subscription.deleted": 2,
}

T = TypeVar("T")


class InvalidWebhook(Exception):
    """Not a Stripe event we can trust or read: bad signature, too old, malformed."""


class PaymentProviderError(Exception):
    """Stripe could not be reached, or refused the request."""


class NoSubscription(Exception):
    """The user has no card subscription that could be cancelled."""


@dataclass(frozen=True)
class CardPlan:
    """A plan paid by card subscription, and the end of the period paid for."""

    plan: Plan
    period_end: datetime | None


class AlreadyCancelled(Exception):
    """The subscription is already set to end at the end of its period."""

    def __init__(self, card_plan: CardPlan) -> None:
        super().__init__(card_plan.plan.code)
        self.card_plan = card_plan


class AlreadySubscribed(Exception):
    """The user pays by card already: plans change in the billing portal, not a new checkout."""

    def __init__(self, card_plan: CardPlan) -> None:
        super().__init__(card_plan.plan.code)
        self.card_plan = card_plan


class NoBillingAccount(Exception):
    """The user never paid by card, so Stripe has no customer for them."""


class PlanWrite(Enum):
    """What syncing a user's subscriptions did to their plan."""

    SET = "set"  # a subscription's plan is in effect now
    ENDED = "ended"  # the plan from Stripe ended
    NONE = "none"  # nothing from Stripe in effect: a better plan from elsewhere, or none


@dataclass(frozen=True)
class StripeEvent:
    id: str
    type: str
    created: datetime
    object: Mapping[str, Any]


@dataclass(frozen=True)
class SubscriptionState:
    """What a Stripe subscription object says, in the current API's shape."""

    id: str
    customer_id: str
    status: str
    price_id: str | None
    current_period_end: datetime | None  # on the item since API version 2025-03-31
    cancel_at_period_end: bool
    user_id: int | None  # from the metadata we set at checkout


@dataclass(frozen=True)
class InvoiceState:
    id: str
    customer_id: str
    subscription_id: str | None  # parent.subscription_details.subscription
    billing_reason: str | None
    amount_paid: int
    amount_due: int
    currency: str
    period_end: datetime | None  # of the first line: what the invoice pays for
    price_id: str | None
    paid_at: datetime | None
    user_id: int | None


@dataclass(frozen=True)
class CheckoutState:
    customer_id: str | None
    subscription_id: str | None
    user_id: int | None


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(value), UTC)


def _id(value: Any) -> str | None:
    """An id whether Stripe sent it bare or as an expanded object."""
    if value is None or isinstance(value, str):
        return value
    return str(value["id"])


def _user_id(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def parse_subscription(obj: Mapping[str, Any]) -> SubscriptionState:
    items = obj["items"]["data"]
    item = items[0] if items else {}
    return SubscriptionState(
        id=str(obj["id"]),
        customer_id=str(_id(obj["customer"])),
        status=str(obj["status"]),
        price_id=_id(item.get("price")),
        current_period_end=_time(item.get("current_period_end")),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        user_id=_user_id((obj.get("metadata") or {}).get("user_id")),
    )


def parse_invoice(obj: Mapping[str, Any]) -> InvoiceState:
    details = (obj.get("parent") or {}).get("subscription_details") or {}
    lines = (obj.get("lines") or {}).get("data") or [{}]
    price_details = (lines[0].get("pricing") or {}).get("price_details") or {}
    return InvoiceState(
        id=str(obj["id"]),
        customer_id=str(_id(obj["customer"])),
        subscription_id=_id(details.get("subscription")),
        billing_reason=obj.get("billing_reason"),
        amount_paid=int(obj.get("amount_paid") or 0),
        amount_due=int(obj.get("amount_due") or 0),
        currency=str(obj["currency"]),
        period_end=_time((lines[0].get("period") or {}).get("end")),
        price_id=_id(price_details.get("price")),
        paid_at=_time((obj.get("status_transitions") or {}).get("paid_at")),
        user_id=_user_id((details.get("metadata") or {}).get("user_id")),
    )


def parse_checkout_session(obj: Mapping[str, Any]) -> CheckoutState:
    reference = obj.get("client_reference_id") or (obj.get("metadata") or {}).get("user_id")
    return CheckoutState(
        customer_id=_id(obj.get("customer")),
        subscription_id=_id(obj.get("subscription")) if obj.get("mode") == "subscription" else None,
        user_id=_user_id(reference),
    )


def _parsed(parse: Callable[[Mapping[str, Any]], T], obj: Mapping[str, Any]) -> T:
    try:
        return parse(obj)
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise InvalidWebhook(f"unexpected {parse.__name__} shape: {error!r}") from error


@contextmanager
def _stripe_errors() -> Iterator[None]:
    try:
        yield
    except stripe.StripeError as error:
        log.warning("Stripe request failed: %s", error)
        raise PaymentProviderError(str(error)) from error


@dataclass(frozen=True)
class StripeBillingService:
    billing: BillingRepository
    client: stripe.StripeClient
    notifier: BillingNotifier
    clock: Clock
    _: KW_ONLY
    webhook_secret: str = field(repr=False)
    prices: Mapping[str, str]  # the Stripe price id of each paid plan, by plan code

    @cached_property
    def _plan_by_price(self) -> dict[str, str]:
        return {price: code for code, price in self.prices.items()}

    @cached_property
    def _handlers(self) -> dict[str, Callable[[StripeEvent], Awaitable[list[BillingNotice]]]]:
        return {
            "checkout.session.completed": self._on_checkout_completed,
            "customer.subscription.created": self._on_subscription_event,
            "customer.subscription.updated": self._on_subscription_event,
            "customer.subscription.deleted": self._on_subscription_event,
            "invoice.paid": self._on_invoice,
            "invoice.payment_failed": self._on_invoice,
        }

    # ----------------------------------------------------------------- what users do

    async def checkout_url(
        self, *, user_id: int, name: str, plan_code: str, return_url: str
    ) -> str:
        """A Stripe Checkout page where the user subscribes to the plan by card.

        Raises AlreadySubscribed rather than let a second subscription charge twice.
        """
        plan = paid_plan(plan_code)
        if live := await self._live(user_id):
            raise AlreadySubscribed(_card_plan(_best(live)))
        customer_id = await self._customer_for(user_id=user_id, name=name)
        metadata = {"user_id": str(user_id), "plan": plan.code}
        with _stripe_errors():
            session = await self.client.v1.checkout.sessions.create_async(
                {
                    "mode": "subscription",
                    "customer": customer_id,
                    "client_reference_id": str(user_id),
                    "line_items": [{"price": self.prices[plan.code], "quantity": 1}],
                    "metadata": metadata,
                    # So that every subscription event names its user, too.
                    "subscription_data": {"metadata": metadata},
                    "success_url": return_url,
                    "cancel_url": return_url,
                }
            )
        return str(session.url)

    async def cancellable(self, *, user_id: int) -> CardPlan:
        """What /cancel would stop; raises NoSubscription or AlreadyCancelled."""
        return _card_plan(_best(await self._cancellable(user_id)))

    async def cancel(self, *, user_id: int) -> CardPlan:
        """Stop renewing: the plan stays until the end of the period already paid for."""
        subscriptions = await self._cancellable(user_id)
        cancelled = {}
        with _stripe_errors():
            for subscription in subscriptions:
                answer = await self.client.v1.subscriptions.update_async(
                    subscription.id, {"cancel_at_period_end": True}
                )
                cancelled[subscription.id] = bool(answer.cancel_at_period_end)
        # Stripe's answer is its latest state: /plan shows the end date before the webhook
        # that follows arrives (and agrees).
        async with self.billing.transaction() as tx:
            for subscription_id, cancel in cancelled.items():
                await tx.set_cancel_at_period_end(subscription_id=subscription_id, cancel=cancel)
            await self._sync_plan(tx, user_id)
        return _card_plan(_best(subscriptions))

    async def portal_url(self, *, user_id: int, return_url: str) -> str:
        """Stripe's Billing Portal for the user: card, invoices, plan changes."""
        with not_found_as(NoBillingAccount(user_id)):
            customer_id = await self.billing.customer_id_of(user_id=user_id)
        with _stripe_errors():
            session = await self.client.v1.billing_portal.sessions.create_async(
                {"customer": customer_id, "return_url": return_url}
            )
        return str(session.url)

    async def _customer_for(self, *, user_id: int, name: str) -> str:
        """The user's Stripe customer, created on first use and reused after."""
        try:
            return await self.billing.customer_id_of(user_id=user_id)
        except NotFound:
            pass
        with _stripe_errors():
            customer = await self.client.v1.customers.create_async(
                {"name": name, "metadata": {"user_id": str(user_id)}},
                # Two quick taps on "Card" create one customer, not two.
                {"idempotency_key": f"analyticbot-customer-{user_id}"},
            )
        return await self.billing.save_customer(user_id=user_id, customer_id=str(customer.id))

    async def _live(self, user_id: int) -> list[SubscriptionRecord]:
        """The user's subscriptions that pay for a plan now."""
        return [s for s in await self.billing.subscriptions_of(user_id=user_id) if _entitles(s)]

    async def _cancellable(self, user_id: int) -> list[SubscriptionRecord]:
        live = await self._live(user_id)
        renewing = [s for s in live if not s.cancel_at_period_end]
        if renewing:
            return renewing
        if live:
            raise AlreadyCancelled(_card_plan(_best(live)))
        raise NoSubscription(user_id)

    # ----------------------------------------------------------------- webhooks

    async def handle_webhook(self, payload: bytes, signature: str | None) -> None:
        """Verify, then apply a Stripe event once; raises InvalidWebhook (answer 400)."""
        event = self._verified_event(payload, signature)
        handler = self._handlers.get(event.type)
        if handler is None:
            log.debug("Stripe event %s of type %s ignored", event.id, event.type)
            return
        await send_notices(self.notifier, await handler(event))

    def _verified_event(self, payload: bytes, signature: str | None) -> StripeEvent:
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, self.webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
            body = json.loads(payload)
            event = StripeEvent(
                id=body["id"],
                type=body["type"],
                created=datetime.fromtimestamp(int(body["created"]), UTC),
                object=body["data"]["object"],
            )
        except (stripe.SignatureVerificationError, KeyError, TypeError, ValueError) as error:
            raise InvalidWebhook(str(error)) from error
        if not (isinstance(event.id, str) and isinstance(event.type, str)):
            raise InvalidWebhook("event id and type must be strings")
        if not isinstance(event.object, Mapping):
            raise InvalidWebhook("data.object must be an object")
        return event

    async def _on_checkout_completed(self, event: StripeEvent) -> list[BillingNotice]:
        session = _parsed(parse_checkout_session, event.object)
        subscription = None
        if session.subscription_id is not None:
            # The session names its subscription but not its state; Stripe's answer is the
            # latest state, so the plan starts now even if the subscription's own event lags.
            with _stripe_errors():
                found = await self.client.v1.subscriptions.retrieve_async(session.subscription_id)
            subscription = _parsed(parse_subscription, found.to_dict())
        async with self.billing.transaction() as tx:
            if not await self._first_time(tx, event):
                return []
            if session.user_id is None:
                log.warning("checkout session of event %s names no user", event.id)
                return []
            if session.customer_id is not None:
                await tx.save_customer(user_id=session.user_id, customer_id=session.customer_id)
            if subscription is None:
                return []
            return await self._apply_subscription(tx, subscription, event, user_id=session.user_id)

    async def _on_subscription_event(self, event: StripeEvent) -> list[BillingNotice]:
        subscription = _parsed(parse_subscription, event.object)
        async with self.billing.transaction() as tx:
            if not await self._first_time(tx, event):
                return []
            return await self._apply_subscription(tx, subscription, event)

    async def _on_invoice(self, event: StripeEvent) -> list[BillingNotice]:
        invoice = _parsed(parse_invoice, event.object)
        paid = event.type == "invoice.paid"
        async with self.billing.transaction() as tx:
            if not await self._first_time(tx, event) or invoice.subscription_id is None:
                return []
            try:
                subscription = await tx.subscription_for_update(
                    subscription_id=invoice.subscription_id
                )
            except NotFound:
                subscription = None  # its own event has not arrived yet
            user_id = (
                subscription.user_id
                if subscription
                else invoice.user_id or await self._customer_owner(tx, invoice.customer_id)
            )
            if user_id is None:
                log.warning("invoice %s belongs to no user we know", invoice.id)
                return []
            plan_code = (subscription.plan_code if subscription else None) or (
                self._plan_by_price.get(invoice.price_id or "")
            )
            changed = await tx.record_payment(
                user_id=user_id,
                rail=PlanSource.STRIPE,
                external_id=invoice.id,
                plan_code=plan_code,
                amount=invoice.amount_paid if paid else invoice.amount_due,
                currency=invoice.currency,
                status="paid" if paid else "failed",
                period_end=invoice.period_end,
                occurred_at=(invoice.paid_at if paid else None) or event.created,
            )
            plan = PLANS.get(plan_code or "")
            if not paid:
                failed = changed and plan is not None
                return [_notice(user_id, NoticeKind.RENEWAL_FAILED, plan)] if failed else []
            if subscription is not None and _later(invoice.period_end, subscription):
                # A paid renewal moves the period on even if its subscription event lags.
                await tx.save_subscription(
                    replace(subscription, current_period_end=invoice.period_end)
                )
                await self._sync_plan(tx, user_id)
            if changed and plan is not None and invoice.billing_reason == "subscription_cycle":
                return [_notice(user_id, NoticeKind.RENEWED, plan, invoice.period_end)]
            return []

    async def _first_time(self, tx: BillingRepository, event: StripeEvent) -> bool:
        first = await tx.mark_event_processed(
            event_id=event.id, event_type=event.type, at=self.clock.now()
        )
        if not first:
            log.info("Stripe event %s was processed before", event.id)
        return first

    async def _apply_subscription(
        self,
        tx: BillingRepository,
        state: SubscriptionState,
        event: StripeEvent,
        *,
        user_id: int | None = None,
    ) -> list[BillingNotice]:
        user_id = user_id or state.user_id or await self._customer_owner(tx, state.customer_id)
        if user_id is None:
            log.warning("subscription %s belongs to no user we know", state.id)
            return []
        try:
            previous = await tx.subscription_for_update(subscription_id=state.id)
        except NotFound:
            previous = None
        event_rank = _EVENT_RANK[event.type]
        if previous is not None and (
            previous.status in FINAL_STATUSES
            or (event.created, event_rank) < (previous.last_event_at, previous.last_event_rank)
        ):
            log.info("Stripe event %s is older than subscription %s's state", event.id, state.id)
            return []
        current = SubscriptionRecord(
            id=state.id,
            user_id=user_id,
            customer_id=state.customer_id,
            plan_code=self._plan_by_price.get(state.price_id or ""),
            status=state.status,
            current_period_end=state.current_period_end,
            cancel_at_period_end=state.cancel_at_period_end,
            last_event_at=event.created,
            last_event_rank=event_rank,
        )
        await tx.save_customer(user_id=user_id, customer_id=state.customer_id)
        await tx.save_subscription(current)
        written = await self._sync_plan(tx, user_id)
        return _subscription_notices(previous, current, written)

    async def _customer_owner(self, tx: BillingRepository, customer_id: str) -> int | None:
        try:
            return await tx.user_of_customer(customer_id=customer_id)
        except NotFound:
            return None

    async def _sync_plan(self, tx: BillingRepository, user_id: int) -> PlanWrite:
        """Write the plan the user's best live subscription pays for into user_plans.

        A better plan from Stars or an admin grant is left alone; with no live subscription,
        only a plan that came from Stripe ends.
        """
        live = [s for s in await tx.subscriptions_of(user_id=user_id) if _entitles(s)]
        if not live:
            ended = await tx.plans.end_plan(user_id=user_id, source=PlanSource.STRIPE)
            return PlanWrite.ENDED if ended else PlanWrite.NONE
        best = _best(live)
        plan = PLANS[str(best.plan_code)]
        current = await tx.plans.active_plan(user_id=user_id, now=self.clock.now())
        if (
            current is not None
            and current.source != PlanSource.STRIPE
            and rank(PLANS.get(current.plan_code, FREE)) > rank(plan)
        ):
            return PlanWrite.NONE
        await tx.plans.set_plan(
            user_id=user_id,
            plan_code=plan.code,
            source=PlanSource.STRIPE,
            expires_at=best.current_period_end,
            renews=not best.cancel_at_period_end,
        )
        return PlanWrite.SET


def _entitles(subscription: SubscriptionRecord) -> bool:
    return subscription.status in ENTITLED_STATUSES and subscription.plan_code in PLANS


def _best(subscriptions: list[SubscriptionRecord]) -> SubscriptionRecord:
    """The one giving the most: the higher plan, then the later period end."""
    return max(
        subscriptions,
        key=lambda s: (
            rank(PLANS.get(s.plan_code or "", FREE)),
            s.current_period_end or datetime.min.replace(tzinfo=UTC),
        ),
    )


def _card_plan(subscription: SubscriptionRecord) -> CardPlan:
    return CardPlan(PLANS[str(subscription.plan_code)], subscription.current_period_end)


def _later(period_end: datetime | None, subscription: SubscriptionRecord) -> bool:
    if period_end is None:
        return False
    return subscription.current_period_end is None or period_end > subscription.current_period_end


def _notice(
    user_id: int, kind: NoticeKind, plan: Plan, until: datetime | None = None
) -> BillingNotice:
    return BillingNotice(user_id=user_id, kind=kind, plan=plan, until=until)


def _subscription_notices(
    previous: SubscriptionRecord | None, current: SubscriptionRecord, written: PlanWrite
) -> list[BillingNotice]:
    """What changed for the user: a plan started or ended, or a cancellation was set.

    Only what changed the user's plan: a subscription outranked by a better plan from
    elsewhere, or ending while another one goes on, is no news to them.
    """
    user_id = current.user_id
    was_live = previous is not None and _entitles(previous)
    if _entitles(current) and written is PlanWrite.SET:
        plan = PLANS[str(current.plan_code)]
        until = current.current_period_end
        if previous is None or not was_live or previous.plan_code != current.plan_code:
            return [_notice(user_id, NoticeKind.STARTED, plan, until)]
        if current.cancel_at_period_end and not previous.cancel_at_period_end:
            return [_notice(user_id, NoticeKind.CANCEL_SCHEDULED, plan, until)]
    if previous is not None and was_live and written is PlanWrite.ENDED:
        return [_notice(user_id, NoticeKind.ENDED, PLANS[str(previous.plan_code)])]
    return []
