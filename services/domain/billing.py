"""Subscriptions, payments and the revenue overview."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SubscriptionRecord:
    id: str
    user_id: int
    customer_id: str
    plan_code: str | None
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    last_event_at: datetime
    last_event_rank: int


@dataclass(frozen=True)
class PaymentRecord:
    id: int
    user_id: int
    rail: str
    external_id: str
    plan_code: str | None
    amount: int
    currency: str
    status: str
    period_end: datetime | None
    occurred_at: datetime
    refunded_at: datetime | None


@dataclass(frozen=True)
class PayingUsers:
    plan_code: str
    source: str
    users: int


@dataclass(frozen=True)
class Revenue:
    currency: str
    amount: int
    payments: int


@dataclass(frozen=True)
class BillingOverview:
    users: int
    paying: list[PayingUsers]
    revenue: list[Revenue]
