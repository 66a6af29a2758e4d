"""A fake Stripe API for the test suite, and Stripe's webhooks sent from it.

The real ``stripe`` library talks HTTP to it (STRIPE_API_BASE = ``fake.base_url``)::

    async with FakeStripe(clock=clock) as stripe_api:
        settings = Settings(..., **stripe_api.settings())

Every request is recorded as a :class:`StripeRequest`, its form-encoded body decoded into
nested dicts and lists the way Stripe reads it (``line_items[0][price]=...``); values stay the
strings that were sent. Answers and events are Stripe's own examples (tests/data/stripe) with
ids, amounts, times and statuses changed, in the shape of the API version the installed
library pins: a subscription's period lives on its items, an invoice names its subscription
under ``parent.subscription_details``.

The fake also plays Stripe's part once a user is on its pages: ``complete_checkout``,
``renew``, ``fail_renewal`` and ``end`` change its world and return the events Stripe would
send then; API calls that change a subscription queue theirs in ``outbox``. ``deliver`` signs
an event as Stripe does (``t=...,v1=HMAC-SHA256(secret, "t.payload")``) and POSTs it to
``webhook_url``; ``post_webhook`` sends any body with any headers.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import aiohttp
import stripe
from aiohttp import web
from helpers import LocalServer
from pydantic import SecretStr

SECRET_KEY: Final = "sk_test_51FakeStripeKeyForTestsOnly"
WEBHOOK_SECRET: Final = "whsec_FakeWebhookSigningSecretForTests"
PRICE_PRO: Final = "price_1FakeProMonthly000001"
PRICE_BUSINESS: Final = "price_1FakeBusinessMonthly01"
# The prices the fake knows: id -> (monthly amount in cents, product).
PRICES: Final = {
    PRICE_PRO: (900, "prod_FakePro00001"),
    PRICE_BUSINESS: (2900, "prod_FakeBusiness1"),
}
PERIOD: Final = timedelta(days=30)
_FIXTURES: Final = Path(__file__).parent / "data" / "stripe" / "fixtures3.json"


@functools.cache
def _fixtures() -> dict[str, Any]:
    return json.loads(_FIXTURES.read_text())["resources"]


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of Stripe's example object of that type ("subscription", "invoice", ...)."""
    return copy.deepcopy(_fixtures()[name])


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


@dataclass
class StripeRequest:
    method: str
    path: str
    params: dict[str, Any]  # query or form body, nested as Stripe reads it; values are strings
    headers: dict[str, str]


class StripeApiError(Exception):
    """An error answer in Stripe's shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        error_type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                key: value
                for key, value in (
                    ("type", error_type),
                    ("message", message),
                    ("code", code),
                    ("param", param),
                )
                if value is not None
            }
        }


def _missing(kind: str, object_id: str, param: str = "id") -> StripeApiError:
    return StripeApiError(
        404 if param == "id" else 400,
        f"No such {kind}: '{object_id}'",
        code="resource_missing",
        param=param,
    )


def decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``a[b][0][c]=v`` pairs into nested dicts, with all-numeric keys turned into lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    children = {key: _listify(value) for key, value in node.items()}
    if children and all(key.isdigit() for key in children):
        return [children[key] for key in sorted(children, key=int)]
    return children


Route = Callable[[StripeRequest, re.Match[str]], dict[str, Any]]


class FakeStripe(LocalServer):
    """The fake API server and the world behind it. See the module docstring."""

    def __init__(self, *, clock: Any = None) -> None:
        """clock: anything with now() (the tests' ManualClock); objects' times come from it."""
        self._now: Callable[[], datetime] = clock.now if clock else lambda: datetime.now(UTC)
        self.base_url = ""
        self.webhook_url = ""
        self.requests: list[StripeRequest] = []
        self.customers: dict[str, dict[str, Any]] = {}
        self.checkout_sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.portal_sessions: dict[str, dict[str, Any]] = {}
        self.outbox: list[dict[str, Any]] = []  # events Stripe sends after API changes
        self._orders: dict[str, dict[str, Any]] = {}  # checkout session id -> price, metadata
        self._idempotent: dict[str, dict[str, Any]] = {}
        self._counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._routes: list[tuple[str, re.Pattern[str], Route]] = [
            ("POST", re.compile(r"/v1/customers"), self._create_customer),
            ("GET", re.compile(r"/v1/customers/(?P<id>[^/]+)"), self._get("customer")),
            ("POST", re.compile(r"/v1/checkout/sessions"), self._create_checkout_session),
            (
                "GET",
                re.compile(r"/v1/checkout/sessions/(?P<id>[^/]+)"),
                self._get("checkout session"),
            ),
            ("GET", re.compile(r"/v1/subscriptions/(?P<id>[^/]+)"), self._get("subscription")),
            ("POST", re.compile(r"/v1/subscriptions/(?P<id>[^/]+)"), self._update_subscription),
            ("POST", re.compile(r"/v1/billing_portal/sessions"), self._create_portal_session),
        ]

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        self._client = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def settings(self) -> dict[str, Any]:
        """The STRIPE_* settings that point the bot at this fake."""
        return {
            "stripe_secret_key": SecretStr(SECRET_KEY),
            "stripe_webhook_secret": SecretStr(WEBHOOK_SECRET),
            "stripe_price_pro": PRICE_PRO,
            "stripe_price_business": PRICE_BUSINESS,
            "stripe_api_base": self.base_url,
        }

    # ----------------------------------------------------------------- observation

    def requests_to(self, method: str, path: str) -> list[StripeRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def session_by_url(self, url: str) -> dict[str, Any]:
        """The checkout session a payment link opens."""
        for session in self.checkout_sessions.values():
            if session["url"] == url:
                return copy.deepcopy(session)
        raise AssertionError(f"no checkout session has the url {url}")

    # ----------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        pairs = list(request.query.items())
        if request.can_read_body:
            pairs += [(k, str(v)) for k, v in (await request.post()).items()]
        call = StripeRequest(
            request.method, request.path, decode_form(pairs), dict(request.headers)
        )
        self.requests.append(call)
        if request.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
            error = StripeApiError(401, "Invalid API Key provided: sk_test_****")
            return web.json_response(error.body, status=error.status)
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key in self._idempotent:
            return web.json_response(self._idempotent[key])
        for method, pattern, route in self._routes:
            match = pattern.fullmatch(request.path)
            if method == request.method and match:
                try:
                    body = route(call, match)
                except StripeApiError as error:
                    return web.json_response(error.body, status=error.status)
                if request.method == "POST" and key:
                    self._idempotent[key] = body
                return web.json_response(body)
        error = StripeApiError(
            404, f"Unrecognized request URL ({request.method}: {request.path}).", code=None
        )
        return web.json_response(error.body, status=error.status)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_1Fk{next(self._counter):05d}{secrets.token_hex(6)}"

    def _get(self, kind: str) -> Route:
        store = {
            "customer": self.customers,
            "checkout session": self.checkout_sessions,
            "subscription": self.subscriptions,
        }[kind]

        def get(_: StripeRequest, match: re.Match[str]) -> dict[str, Any]:
            found = store.get(match["id"])
            if found is None:
                raise _missing(kind, match["id"])
            return copy.deepcopy(found)

        return get

    # ----------------------------------------------------------------- API methods

    def _create_customer(self, rq: StripeRequest, _: re.Match[str]) -> dict[str, Any]:
        customer = fixture("customer")
        customer.update(
            id=self._new_id("cus"),
            created=_ts(self._now()),
            name=rq.params.get("name"),
            email=rq.params.get("email"),
            metadata=rq.params.get("metadata", {}),
            discount=None,
            currency=None,
        )
        self.customers[customer["id"]] = customer
        return copy.deepcopy(customer)

    def _create_checkout_session(self, rq: StripeRequest, _: re.Match[str]) -> dict[str, Any]:
        params = rq.params
        mode = params.get("mode")
        if mode not in ("payment", "setup", "subscription"):
            raise StripeApiError(400, "Missing required param: mode.", param="mode")
        if not params.get("success_url") and params.get("ui_mode") != "embedded":
            raise StripeApiError(400, "Missing required param: success_url.", param="success_url")
        customer = params.get("customer")
        if customer and customer not in self.customers:
            raise _missing("customer", customer, "customer")
        items = params.get("line_items") or []
        if not items:
            raise StripeApiError(400, "Missing required param: line_items.", param="line_items")
        price = items[0].get("price", "")
        if price not in PRICES:
            raise _missing("price", price, "line_items[0][price]")
        amount = PRICES[price][0] * int(items[0].get("quantity", "1"))
        now = _ts(self._now())
        session = fixture("checkout.session")
        session_id = f"cs_test_{secrets.token_hex(24)}"
        session.update(
            id=session_id,
            object="checkout.session",
            mode=mode,
            customer=customer,
            client_reference_id=params.get("client_reference_id"),
            metadata=params.get("metadata", {}),
            success_url=params["success_url"],
            cancel_url=params.get("cancel_url"),
            url=f"https://checkout.stripe.com/c/pay/{session_id}",
            status="open",
            payment_status="unpaid",
            subscription=None,
            invoice=None,
            payment_intent=None,
            currency="usd",
            amount_subtotal=amount,
            amount_total=amount,
            created=now,
            expires_at=now + 24 * 3600,
            shipping_cost=None,
            shipping_address_collection=None,
            shipping_options=[],
            total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            currency_conversion=None,
        )
        self.checkout_sessions[session_id] = session
        subscription_data = params.get("subscription_data") or {}
        self._orders[session_id] = {
            "price": price,
            "metadata": subscription_data.get("metadata", {}),
        }
        return copy.deepcopy(session)

    def _update_subscription(self, rq: StripeRequest, match: re.Match[str]) -> dict[str, Any]:
        subscription = self.subscriptions.get(match["id"])
        if subscription is None:
            raise _missing("subscription", match["id"])
        if subscription["status"] == "canceled":
            raise StripeApiError(
                400,
                "A canceled subscription can only update its cancellation_details and metadata.",
            )
        before = copy.deepcopy(subscription)
        if "cancel_at_period_end" in rq.params:
            cancel = rq.params["cancel_at_period_end"] == "true"
            subscription.update(
                cancel_at_period_end=cancel,
                cancel_at=_period(subscription)["current_period_end"] if cancel else None,
                canceled_at=_ts(self._now()) if cancel else None,
            )
        if "metadata" in rq.params:
            subscription["metadata"] = {**subscription["metadata"], **rq.params["metadata"]}
        changed = {k: v for k, v in before.items() if subscription.get(k) != v}
        if changed:
            self.outbox.append(
                self.event("customer.subscription.updated", subscription, previous=changed)
            )
        return copy.deepcopy(subscription)

    def _create_portal_session(self, rq: StripeRequest, _: re.Match[str]) -> dict[str, Any]:
        customer = rq.params.get("customer", "")
        if customer not in self.customers:
            raise _missing("customer", customer, "customer")
        portal = fixture("billing_portal.session")
        portal_id = self._new_id("bps")
        portal.update(
            id=portal_id,
            customer=customer,
            created=_ts(self._now()),
            livemode=False,
            flow=None,
            configuration="bpc_1FakePortalConfig01",
            return_url=rq.params.get("return_url"),
            url=f"https://billing.stripe.com/p/session/test_{secrets.token_hex(16)}",
        )
        self.portal_sessions[portal_id] = portal
        return copy.deepcopy(portal)

    # ----------------------------------------------------------------- the world

    def subscription(
        self,
        *,
        customer: str,
        price: str = PRICE_PRO,
        status: str = "active",
        metadata: Mapping[str, str] | None = None,
        period_end: datetime | None = None,
        cancel_at_period_end: bool = False,
    ) -> dict[str, Any]:
        """A new subscription of one price (a 30-day period ending at period_end)."""
        now = self._now()
        end = period_end or now + PERIOD
        subscription_id = self._new_id("sub")
        amount, product = PRICES[price]
        subscription = fixture("subscription")
        subscription.update(
            id=subscription_id,
            customer=customer,
            status=status,
            metadata=dict(metadata or {}),
            created=_ts(now),
            start_date=_ts(now),
            billing_cycle_anchor=_ts(end - PERIOD),
            billing_cycle_anchor_config=None,
            cancel_at_period_end=cancel_at_period_end,
            cancel_at=_ts(end) if cancel_at_period_end else None,
            canceled_at=None,
            ended_at=None,
            trial_start=None,
            trial_end=None,
            latest_invoice=None,
            next_pending_invoice_item_invoice=None,
            pause_collection=None,
            pending_update=None,
            pending_invoice_item_interval=None,
            transfer_data=None,
            billing_schedules=[],
            discounts=[],
        )
        item = subscription["items"]["data"][0]
        item.update(
            id=self._new_id("si"),
            created=_ts(now),
            subscription=subscription_id,
            current_period_start=_ts(end - PERIOD),
            current_period_end=_ts(end),
            quantity=1,
            billing_thresholds=None,
        )
        # The legacy `plan` is the same price as `price`, told in its older field names.
        same_price = {"id": price, "product": product}
        item["price"].update(
            same_price,
            unit_amount=amount,
            unit_amount_decimal=str(amount),
            transform_quantity=None,
            custom_unit_amount=None,
        )
        item["plan"].update(
            same_price,
            amount=amount,
            amount_decimal=str(amount),
            billing_scheme="per_unit",
            currency="usd",
            interval_count=1,
            livemode=False,
            transform_usage=None,
        )
        subscription["items"]["url"] = f"/v1/subscription_items?subscription={subscription_id}"
        self.subscriptions[subscription_id] = subscription
        return copy.deepcopy(subscription)

    def invoice(self, subscription_id: str, *, paid: bool, billing_reason: str) -> dict[str, Any]:
        """The invoice of the subscription's current period, paid or with a failed payment."""
        subscription = self.subscriptions[subscription_id]
        item = subscription["items"]["data"][0]
        amount = item["price"]["unit_amount"]
        now = _ts(self._now())
        invoice_id = self._new_id("in")
        invoice = fixture("invoice")
        invoice.update(
            id=invoice_id,
            customer=subscription["customer"],
            created=now,
            effective_at=now,
            billing_reason=billing_reason,
            amount_due=amount,
            amount_paid=amount if paid else 0,
            amount_remaining=0 if paid else amount,
            amount_overpaid=0,
            subtotal=amount,
            subtotal_excluding_tax=amount,
            total=amount,
            total_excluding_tax=amount,
            attempted=True,
            attempt_count=1,
            auto_advance=not paid,
            status="paid" if paid else "open",
            status_transitions={
                "finalized_at": now,
                "marked_uncollectible_at": None,
                "paid_at": now if paid else None,
                "voided_at": None,
            },
            next_payment_attempt=None if paid else now + 3 * 24 * 3600,
            period_start=item["current_period_start"],
            period_end=item["current_period_start"],
            due_date=None,
            from_invoice=None,
            last_finalization_error=None,
            shipping_cost=None,
            number=f"FAKE-{next(self._counter):04d}",
            hosted_invoice_url=f"https://invoice.stripe.com/i/{invoice_id}",
            webhooks_delivered_at=None,
            parent={
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "subscription": subscription_id,
                    "metadata": dict(subscription["metadata"]),
                },
            },
        )
        line = invoice["lines"]["data"][0]
        line.update(
            id=self._new_id("il"),
            amount=amount,
            subtotal=amount,
            invoice=invoice_id,
            description=f"1 × {item['price']['product']} (at ${amount / 100:.2f} / month)",
            period={"start": item["current_period_start"], "end": item["current_period_end"]},
            discountable=True,
            parent={
                "type": "subscription_item_details",
                "invoice_item_details": None,
                "subscription_item_details": {
                    "invoice_item": None,
                    "proration": False,
                    "proration_details": {"credited_items": None},
                    "subscription": subscription_id,
                    "subscription_item": item["id"],
                },
            },
            pricing={
                "type": "price_details",
                "price_details": {
                    "price": item["price"]["id"],
                    "product": item["price"]["product"],
                },
                "unit_amount_decimal": str(amount),
            },
        )
        invoice["lines"]["url"] = f"/v1/invoices/{invoice_id}/lines"
        subscription["latest_invoice"] = invoice_id
        self.invoices[invoice_id] = invoice
        return copy.deepcopy(invoice)

    def event(
        self,
        event_type: str,
        obj: Mapping[str, Any],
        *,
        created: datetime | int | None = None,
        previous: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A snapshot event carrying obj as it is now (created: the fake's clock, or given)."""
        if isinstance(created, datetime):
            created = _ts(created)
        event = fixture("event")
        event.update(
            id=self._new_id("evt"),
            type=event_type,
            created=_ts(self._now()) if created is None else created,
            api_version=stripe.api_version,
            livemode=False,
            pending_webhooks=1,
            request={"id": None, "idempotency_key": None},
            data={"object": copy.deepcopy(dict(obj))},
        )
        if previous is not None:
            event["data"]["previous_attributes"] = copy.deepcopy(dict(previous))
        return event

    def complete_checkout(self, session_id: str, *, payment_succeeds: bool = True) -> list[dict]:
        """The user pays on the checkout page: the events, in the order Stripe sends them."""
        session = self.checkout_sessions[session_id]
        order = self._orders[session_id]
        subscription = self.subscription(
            customer=session["customer"],
            price=order["price"],
            metadata=order["metadata"],
            status="active" if payment_succeeds else "incomplete",
        )
        invoice = self.invoice(
            subscription["id"], paid=payment_succeeds, billing_reason="subscription_create"
        )
        session.update(
            status="complete",
            payment_status="paid" if payment_succeeds else "unpaid",
            subscription=subscription["id"],
            invoice=invoice["id"],
        )
        invoice_event = "invoice.paid" if payment_succeeds else "invoice.payment_failed"
        return [
            self.event("customer.subscription.created", self.subscriptions[subscription["id"]]),
            self.event(invoice_event, invoice),
            self.event("checkout.session.completed", session),
        ]

    def renew(self, subscription_id: str) -> list[dict[str, Any]]:
        """A new period starts and its invoice is paid."""
        previous = self._next_period(subscription_id)
        invoice = self.invoice(subscription_id, paid=True, billing_reason="subscription_cycle")
        return [
            self.event(
                "customer.subscription.updated",
                self.subscriptions[subscription_id],
                previous=previous,
            ),
            self.event("invoice.paid", invoice),
        ]

    def fail_renewal(self, subscription_id: str) -> list[dict[str, Any]]:
        """A new period starts, its payment fails, and the subscription goes past_due."""
        previous = self._next_period(subscription_id)
        invoice = self.invoice(subscription_id, paid=False, billing_reason="subscription_cycle")
        subscription = self.subscriptions[subscription_id]
        previous["status"] = subscription["status"]
        subscription["status"] = "past_due"
        return [
            self.event("invoice.payment_failed", invoice),
            self.event("customer.subscription.updated", subscription, previous=previous),
        ]

    def end(self, subscription_id: str, *, reason: str = "cancellation_requested") -> list[dict]:
        """The subscription is over (cancelled at period end, or Stripe gave up collecting)."""
        subscription = self.subscriptions[subscription_id]
        now = _ts(self._now())
        subscription.update(
            status="canceled",
            ended_at=now,
            canceled_at=subscription["canceled_at"] or now,
            cancellation_details={"comment": None, "feedback": None, "reason": reason},
        )
        return [self.event("customer.subscription.deleted", subscription)]

    def _next_period(self, subscription_id: str) -> dict[str, Any]:
        subscription = self.subscriptions[subscription_id]
        item = subscription["items"]["data"][0]
        previous = {"items": copy.deepcopy(subscription["items"])}
        start = item["current_period_end"]
        item.update(
            current_period_start=start,
            current_period_end=start + int(PERIOD.total_seconds()),
        )
        return previous

    # ----------------------------------------------------------------- webhooks

    @staticmethod
    def signature(
        payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
    ) -> str:
        """The Stripe-Signature header for a payload; the timestamp is real time, as Stripe's."""
        moment = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new(secret.encode(), f"{moment}.{payload}".encode(), hashlib.sha256)
        return f"t={moment},v1={mac.hexdigest()}"

    async def deliver(
        self,
        event: Mapping[str, Any],
        *,
        secret: str = WEBHOOK_SECRET,
        timestamp: int | None = None,
    ) -> int:
        """POST one event, signed, to webhook_url; returns the HTTP status."""
        payload = json.dumps(event, indent=2)  # Stripe sends pretty-printed JSON
        signature = self.signature(payload, secret=secret, timestamp=timestamp)
        return await self.post_webhook(payload.encode(), {"Stripe-Signature": signature})

    async def deliver_all(self, events: Iterable[Mapping[str, Any]]) -> list[int]:
        return [await self.deliver(event) for event in events]

    async def post_webhook(self, body: bytes, headers: Mapping[str, str]) -> int:
        if not self.webhook_url or self._client is None:
            raise AssertionError("set webhook_url (and start the fake) before delivering")
        sent = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            **headers,
        }
        async with self._client.post(self.webhook_url, data=body, headers=sent) as response:
            await response.read()
            return response.status


def _period(subscription: Mapping[str, Any]) -> dict[str, Any]:
    return subscription["items"]["data"][0]
