"""Share links: a public, read-only report of one channel and period, until the owner says.

A link is a random token of 192 bits; only its SHA-256 is stored, so the database alone opens
nothing. Every request checks revocation and expiry against the injected clock.
"""

import asyncio
import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Protocol

from db.share_links import ShareLinksRepository
from services.analytics import STANDARD_PERIODS
from services.channels import ChannelService
from services.clock import Clock
from services.domain.share_links import ShareLinkRecord
from services.entitlements import EntitlementsService, LimitReached
from services.errors import not_found_as
from services.i18n import Message, user_locale
from services.plans import Allowance

# None: the link never expires (a paid-plan privilege, see Allowance.SHARE_LINK_HOURS).
LIFETIME_HOURS: tuple[int | None, ...] = (1, 24, 7 * 24, 30 * 24, None)

# secrets.token_urlsafe(24): 24 random bytes, 32 URL-safe characters.
_TOKEN_BYTES = 24
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")


class ShareLinkError(Exception):
    """The base of every reason a share link does not open."""


class ShareLinkNotFound(ShareLinkError):
    """Unknown, revoked, or its creator no longer administers the channel."""


class ShareLinkExpired(ShareLinkError):
    """The link existed but its lifetime is over."""


class UnknownShareFile(ShareLinkError):
    """The link is live but has no chart or CSV file of that name."""


@dataclass(frozen=True)
class KeyNumber:
    """One headline figure of a report: `name` is for programs, `label` for people."""

    name: str
    label: Message  # rendered in the language of whoever reads the report
    value: int | float | None  # None: not known for this period
    unit: str = ""
    signed: bool = False  # a change, shown with its sign


@dataclass(frozen=True)
class SharedPost:
    message_id: int
    posted_at: datetime
    text: str
    views: int | None
    reactions: int
    url: str | None  # the public t.me link, if the channel has a username


class ShareableReport(Protocol):
    """What a share link shows: one channel, one period, nothing else."""

    @property
    def channel_title(self) -> str: ...
    @property
    def channel_username(self) -> str | None: ...
    @property
    def days(self) -> int: ...
    @property
    def first_day(self) -> date: ...
    @property
    def last_day(self) -> date: ...  # both days included, in the creator's time zone
    @property
    def key_numbers(self) -> Sequence[KeyNumber]: ...
    @property
    def top_posts(self) -> Sequence[SharedPost]: ...
    @property
    def chart_names(self) -> Sequence[str]: ...
    @property
    def csv_names(self) -> Sequence[str]: ...

    async def chart_png(self, name: str) -> bytes:
        """The chart as PNG, rendered off the event loop."""
        ...

    async def csv_bytes(self, name: str) -> bytes: ...


class ShareReportSource(Protocol):
    async def build(self, link: ShareLinkRecord) -> ShareableReport:
        """The report of the link's channel over its last `days`, as its creator counts days.

        Raises LimitReached when the creator's plan no longer reaches that far back.
        """
        ...


@dataclass(frozen=True)
class CreatedShareLink:
    token: str  # shown once, to the creator; never stored
    url: str
    link: ShareLinkRecord


@dataclass(frozen=True)
class OpenedShareLink:
    link: ShareLinkRecord
    report: ShareableReport

    @property
    def locale(self) -> str:
        """The language of the link's creator: the page speaks it to every visitor."""
        return user_locale(
            chosen_language=self.link.creator_chosen_language,
            language_code=self.link.creator_language_code,
        )


def token_sha256(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class _RecentCache:
    """Values kept for a short time, and one computation per key however many ask at once."""

    clock: Clock
    _: KW_ONLY
    ttl: timedelta
    max_entries: int
    _entries: dict[Hashable, tuple[datetime, asyncio.Task]] = field(
        init=False, default_factory=dict
    )

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[object]]) -> object:
        now = self.clock.now()
        entry = self._entries.get(key)
        if entry is None or now - entry[0] >= self.ttl:
            self._evict(now)
            entry = (now, asyncio.ensure_future(compute()))
            self._entries[key] = entry
        try:
            # Shielded: a client that hangs up does not cancel work others are waiting for.
            return await asyncio.shield(entry[1])
        except Exception:
            if self._entries.get(key) is entry:
                del self._entries[key]
            raise

    def _evict(self, now: datetime) -> None:
        for key, (created, _) in list(self._entries.items()):
            if now - created >= self.ttl:
                del self._entries[key]
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]


@dataclass(frozen=True)
class ShareLinkService:
    links: ShareLinksRepository
    reports: ShareReportSource
    channels: ChannelService
    entitlements: EntitlementsService
    clock: Clock
    _: KW_ONLY
    public_base_url: str
    cache_seconds: float
    cache_entries: int = 64

    @cached_property
    def _report_cache(self) -> _RecentCache:
        ttl = timedelta(seconds=self.cache_seconds)
        return _RecentCache(self.clock, ttl=ttl, max_entries=self.cache_entries)

    @cached_property
    def _chart_cache(self) -> _RecentCache:
        ttl = timedelta(seconds=self.cache_seconds)
        return _RecentCache(self.clock, ttl=ttl, max_entries=self.cache_entries * 4)

    def page_url(self, token: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/r/{token}"

    async def caps(self, *, user_id: int) -> tuple[int | None, int | None]:
        """(longest lifetime in hours, longest period in days) the user's plan allows; None: any."""
        plan = await self.entitlements.plan_of(user_id=user_id)
        return plan.limits[Allowance.SHARE_LINK_HOURS], plan.limits[Allowance.HISTORY_DAYS]

    async def ensure_period_allowed(self, *, user_id: int, days: int) -> None:
        """Raises LimitReached when the plan's history does not reach back `days`."""
        await self.entitlements.ensure_at_most(
            user_id=user_id, allowance=Allowance.HISTORY_DAYS, wanted=days
        )

    async def ensure_room_for_link(self, *, user_id: int) -> None:
        """Raises LimitReached when the user has as many live links as the plan allows."""
        await self.entitlements.ensure_within(
            user_id=user_id,
            allowance=Allowance.SHARE_LINKS,
            current=await self.links.count_live(user_id=user_id, now=self.clock.now()),
        )

    async def create(
        self, *, user_id: int, channel_id: int, days: int, lifetime_hours: int | None
    ) -> CreatedShareLink:
        """A new link to the channel's report over the last `days`.

        Raises ChannelAccessError unless the user administers the channel, LimitReached when
        the plan does not allow another live link, the period or the lifetime, ValueError for
        a choice not offered.
        """
        if days not in STANDARD_PERIODS or lifetime_hours not in LIFETIME_HOURS:
            raise ValueError(f"no share link for {days} days living {lifetime_hours} hours")
        await self.channels.require_admin(user_id=user_id, channel_id=channel_id)
        await self.ensure_room_for_link(user_id=user_id)
        await self.ensure_period_allowed(user_id=user_id, days=days)
        await self.entitlements.ensure_at_most(
            user_id=user_id, allowance=Allowance.SHARE_LINK_HOURS, wanted=lifetime_hours
        )
        now = self.clock.now()
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        link = await self.links.create(
            token_sha256=token_sha256(token),
            user_id=user_id,
            channel_id=channel_id,
            days=days,
            created_at=now,
            expires_at=None if lifetime_hours is None else now + timedelta(hours=lifetime_hours),
        )
        return CreatedShareLink(token=token, url=self.page_url(token), link=link)

    async def list_live(self, *, user_id: int) -> list[ShareLinkRecord]:
        return await self.links.list_live(user_id=user_id, now=self.clock.now())

    async def revoke(self, *, user_id: int, link_id: int) -> ShareLinkRecord:
        with not_found_as(ShareLinkNotFound(str(link_id))):
            return await self.links.revoke(link_id=link_id, user_id=user_id, at=self.clock.now())

    async def open(self, token: str) -> OpenedShareLink:
        """The report behind a live link, counted as one more opening."""
        link = await self._live_link(token)
        report = await self._report(link)
        await self.links.count_open(link_id=link.id, at=self.clock.now())
        return OpenedShareLink(link=link, report=report)

    async def chart_png(self, token: str, name: str) -> bytes:
        """A chart of a live link's report; opening the page counted already, this does not."""
        link = await self._live_link(token)
        report = await self._report(link)
        if name not in report.chart_names:
            raise UnknownShareFile(name)
        return await self._chart_cache.get((link.id, name), lambda: report.chart_png(name))

    async def csv_bytes(self, token: str, name: str) -> bytes:
        link = await self._live_link(token)
        report = await self._report(link)
        if name not in report.csv_names:
            raise UnknownShareFile(name)
        return await report.csv_bytes(name)

    async def _live_link(self, token: str) -> ShareLinkRecord:
        if not _TOKEN_SHAPE.fullmatch(token):
            raise ShareLinkNotFound("malformed token")
        with not_found_as(ShareLinkNotFound("unknown token")):
            link = await self.links.find(token_sha256=token_sha256(token))
        if link.revoked_at is not None or not link.creator_is_admin:
            raise ShareLinkNotFound(f"share link {link.id} is revoked")
        if link.expires_at is not None and self.clock.now() >= link.expires_at:
            raise ShareLinkExpired(f"share link {link.id} expired at {link.expires_at}")
        return link

    async def _report(self, link: ShareLinkRecord) -> ShareableReport:
        try:
            # A page load asks for the page and then each chart: they share one built report.
            return await self._report_cache.get(link.id, lambda: self.reports.build(link))
        except LimitReached as error:
            # The creator's plan no longer reaches back this far: the link has outlived it.
            raise ShareLinkExpired(f"share link {link.id} is past its creator's history") from error
