"""A channel's numbers as series and pages, for programs: posts a page at a time, and per day
the subscribers, joins and leaves (the same days /stats counts, in the owner's time zone)."""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from db.analytics import AnalyticsRepository
from db.post_pages import PostPagesRepository
from services.analytics import (
    DEFAULT_PERIOD_DAYS,
    EARLIEST_DAY,
    InvalidPeriod,
    Period,
    PeriodProblem,
    ensure_period_allowed,
    user_time_zone,
)
from services.bounds import INT64_MAX
from services.clock import Clock
from services.domain.analytics import DailyGrowth, PostMetrics
from services.domain.channels import ChannelRecord
from services.entitlements import EntitlementsService


class InvalidCursor(ValueError):
    """The cursor was not one this service handed out."""


@dataclass(frozen=True)
class PostPage:
    posts: tuple[PostMetrics, ...]
    next_cursor: str | None  # None: this is the last page


def encode_cursor(post: PostMetrics) -> str:
    raw = f"{post.posted_at.isoformat()}|{post.message_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


EARLIEST_POST = datetime.combine(EARLIEST_DAY, time(), tzinfo=UTC)


def decode_cursor(cursor: str, *, now: datetime) -> tuple[datetime, int]:
    """The (posted_at, message_id) a cursor from encode_cursor names; InvalidCursor for what no
    post of ours can have: a message id outside 1..2**63-1, a time before Telegram or after now."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        posted_at, message_id = raw.split("|")
        after = (datetime.fromisoformat(posted_at), int(message_id))
        if after[0].tzinfo is None or not EARLIEST_POST <= after[0] <= now:
            raise InvalidCursor(cursor)
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as error:
        raise InvalidCursor(cursor) from error
    if not 0 < after[1] <= INT64_MAX:
        raise InvalidCursor(cursor)
    return after


def asked_period(first_day: date | None, last_day: date | None, *, today: date) -> Period:
    """The days from–to, both optional: without `from`, DEFAULT_PERIOD_DAYS up to `to` (or
    today); without `to`, up to today. Raises InvalidPeriod for what no one has numbers for."""
    last = last_day or today
    if first_day is None:
        try:
            period = Period.last_days(DEFAULT_PERIOD_DAYS, today=last)
        except OverflowError as error:
            raise InvalidPeriod(PeriodProblem.TOO_EARLY, str(last)) from error
    else:
        period = Period(first_day=first_day, last_day=last)
    period.check_asked(today=today)
    return period


@dataclass(frozen=True)
class ChannelSeriesService:
    analytics: AnalyticsRepository
    post_pages: PostPagesRepository
    entitlements: EntitlementsService
    clock: Clock

    def today(self, time_zone: str) -> date:
        return self.clock.now().astimezone(user_time_zone(time_zone)).date()

    async def _allowed(self, user_id: int, period: Period, time_zone: str) -> None:
        await ensure_period_allowed(
            self.entitlements, user_id=user_id, period=period, today=self.today(time_zone)
        )

    async def posts_page(
        self,
        *,
        user_id: int,
        channel: ChannelRecord,
        period: Period,
        time_zone: str,
        cursor: str | None,
        limit: int,
    ) -> PostPage:
        """The period's posts in publishing order, `limit` at a time after the cursor.

        Raises InvalidCursor, InvalidPeriod, or LimitReached beyond the plan's history; the
        caller has checked that the user administers the channel.
        """
        after = decode_cursor(cursor, now=self.clock.now()) if cursor is not None else None
        await self._allowed(user_id, period, time_zone)
        posts = await self.post_pages.page(
            channel_id=channel.id,
            first_day=period.first_day,
            last_day=period.last_day,
            time_zone=str(user_time_zone(time_zone)),
            now=self.clock.now(),
            after=after,
            limit=limit + 1,
        )
        more = len(posts) > limit
        posts = posts[:limit]
        return PostPage(posts=tuple(posts), next_cursor=encode_cursor(posts[-1]) if more else None)

    async def daily(
        self, *, user_id: int, channel: ChannelRecord, period: Period, time_zone: str
    ) -> list[DailyGrowth]:
        """Every day of the period: subscribers at its end, joins, leaves and posts."""
        await self._allowed(user_id, period, time_zone)
        return await self.analytics.daily_growth(
            channel_id=channel.id,
            first_day=period.first_day,
            last_day=period.last_day,
            time_zone=str(user_time_zone(time_zone)),
        )
