"""What a user's plan allows, and how much of it they have used: every feature asks here."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from datetime import date, datetime

from db.plans import PlansRepository
from services.clock import Clock
from services.plans import COUNTED, FREE, MONTHLY, PLANS, Allowance, Plan


class LimitReached(Exception):
    """The user's plan does not allow this much."""

    def __init__(self, allowance: Allowance, allowed: int, plan: Plan) -> None:
        super().__init__(f"{plan.name} plan allows {allowed} {allowance.value}")
        self.allowance = allowance
        self.allowed = allowed
        self.plan = plan


@dataclass(frozen=True)
class UsageLine:
    allowance: Allowance
    used: int | None  # None for caps (history depth, link lifetime), which are not used up
    allowed: int | None  # None: unlimited


@dataclass(frozen=True)
class PlanStatus:
    plan: Plan
    source: str | None
    expires_at: datetime | None
    renews: bool  # True: expires_at is the next renewal; False: the plan ends then
    usage: list[UsageLine]


def within_cap(wanted: int | None, allowed: int | None) -> bool:
    """Whether a cap allows a value; None wants no cap, or allows any."""
    return allowed is None or (wanted is not None and wanted <= allowed)


@dataclass(frozen=True)
class EntitlementsService:
    plans: PlansRepository
    clock: Clock
    _: KW_ONLY
    # How many of a standing allowance (channels, rules) a user has now.
    standing_counts: Mapping[Allowance, Callable[[int], Awaitable[int]]]

    async def plan_of(self, *, user_id: int) -> Plan:
        record = await self.plans.active_plan(user_id=user_id, now=self.clock.now())
        if record is None:
            return FREE
        return PLANS.get(record.plan_code, FREE)

    async def allowance(self, *, user_id: int, allowance: Allowance) -> int | None:
        return (await self.plan_of(user_id=user_id)).limits[allowance]

    async def ensure_within(self, *, user_id: int, allowance: Allowance, current: int) -> None:
        """For standing counts (channels, rules): refuse one more when current is at the limit."""
        plan = await self.plan_of(user_id=user_id)
        allowed = plan.limits[allowance]
        if allowed is not None and current >= allowed:
            raise LimitReached(allowance, allowed, plan)

    async def ensure_room(self, *, user_id: int, allowance: Allowance) -> None:
        """Refuse one more of a standing allowance when the user has as many as the plan allows,
        counted by `standing_counts`."""
        count = self.standing_counts[allowance]
        await self.ensure_within(user_id=user_id, allowance=allowance, current=await count(user_id))

    async def ensure_at_most(
        self, *, user_id: int, allowance: Allowance, wanted: int | None
    ) -> None:
        """For caps (history days, link hours): refuse a value over the plan's cap.

        wanted None asks for no cap at all (a link that never expires), which only an
        unlimited plan allows.
        """
        plan = await self.plan_of(user_id=user_id)
        allowed = plan.limits[allowance]
        if not within_cap(wanted, allowed):
            raise LimitReached(allowance, allowed, plan)

    async def consume(self, *, user_id: int, allowance: Allowance, amount: int = 1) -> None:
        """Count use of a per-period allowance, atomically; over the limit, count nothing."""
        plan = await self.plan_of(user_id=user_id)
        allowed = plan.limits[allowance]
        counted = await self.plans.consume(
            user_id=user_id,
            allowance=allowance.value,
            period_start=self._period_start(allowance),
            amount=amount,
            limit=allowed,
        )
        if not counted:
            raise LimitReached(allowance, allowed or 0, plan)

    async def refund(self, *, user_id: int, allowance: Allowance, amount: int = 1) -> None:
        """Give back what was consumed for work that then failed."""
        await self.plans.refund(
            user_id=user_id,
            allowance=allowance.value,
            period_start=self._period_start(allowance),
            amount=amount,
        )

    async def status(self, *, user_id: int) -> PlanStatus:
        """The plan, when it ends, and this period's use of each counted allowance."""
        record = await self.plans.active_plan(user_id=user_id, now=self.clock.now())
        plan = PLANS.get(record.plan_code, FREE) if record else FREE
        used = await self.plans.usage(
            user_id=user_id, periods={a.value: self._period_start(a) for a in COUNTED}
        )
        used = {a.value: used.get(a.value, 0) for a in COUNTED}
        for allowance, count in self.standing_counts.items():
            used[allowance.value] = await count(user_id)
        lines = [
            UsageLine(allowance=allowance, used=used.get(allowance.value), allowed=allowed)
            for allowance, allowed in plan.limits.items()
        ]
        return PlanStatus(
            plan=plan,
            source=record.source if record else None,
            expires_at=record.expires_at if record else None,
            renews=record.renews if record else False,
            usage=lines,
        )

    def _period_start(self, allowance: Allowance) -> date:
        """Counted allowances reset daily (the clock's today) or monthly (its month's 1st)."""
        today = self.clock.now().date()
        return today.replace(day=1) if allowance in MONTHLY else today
