"""Share links as a service: hashed tokens, expiry by the clock, counted opens, shared builds."""

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from helpers import ManualClock

from db.channels import ChannelsRepository
from db.ingestion import IngestionRepository
from db.plans import PlansRepository
from db.share_links import ShareLinksRepository
from services.channels import ChannelService, NotChannelAdmin
from services.domain.share_links import ShareLinkRecord
from services.entitlements import EntitlementsService, LimitReached
from services.i18n_texts import share as share_texts
from services.plans import FREE, Allowance
from services.share_links import (
    KeyNumber,
    ShareLinkExpired,
    ShareLinkNotFound,
    ShareLinkService,
    UnknownShareFile,
)
from services.subscribers import SubscriberSnapshotService

OWNER, STRANGER, CHANNEL = 501, 502, -1001000000501


@dataclass
class StubReport:
    channel_title: str = "Cooking Daily"
    channel_username: str | None = "cookingdaily"
    days: int = 7
    first_day: date = date(2026, 11, 20)
    last_day: date = date(2026, 11, 26)
    key_numbers: tuple[KeyNumber, ...] = (KeyNumber("posts", share_texts.POSTS, 3),)
    top_posts: tuple = ()
    chart_names: tuple[str, ...] = ("growth",)
    csv_names: tuple[str, ...] = ("posts",)
    charts_drawn: list[str] = field(default_factory=list)

    async def chart_png(self, name: str) -> bytes:
        self.charts_drawn.append(name)
        await asyncio.sleep(0)  # let concurrent requests meet the one render in progress
        return b"\x89PNG " + name.encode()

    async def csv_bytes(self, name: str) -> bytes:
        return f"{name}\n".encode()


class StubSource:
    """Counts builds; refuses like the analytics service when told the plan lost the history."""

    def __init__(self) -> None:
        self.builds: list[ShareLinkRecord] = []
        self.report = StubReport()
        self.history_lost = False

    async def build(self, link: ShareLinkRecord) -> StubReport:
        self.builds.append(link)
        await asyncio.sleep(0)  # a yield: concurrent requests arrive while this build runs
        if self.history_lost:
            raise LimitReached(Allowance.HISTORY_DAYS, 30, FREE)
        return self.report


@pytest.fixture
async def source() -> StubSource:
    return StubSource()


@pytest.fixture
async def share_links(db, clock: ManualClock, source: StubSource) -> ShareLinkService:
    await db.execute(
        "INSERT INTO users (id, first_name) VALUES ($1, 'Owner'), ($2, 'Stranger')",
        OWNER,
        STRANGER,
    )
    await db.execute("INSERT INTO channels (id, title) VALUES ($1, 'Cooking Daily')", CHANNEL)
    await db.execute("INSERT INTO channel_admins VALUES ($1, $2, $3)", CHANNEL, OWNER, clock.now())
    entitlements = EntitlementsService(PlansRepository(db), clock, standing_counts={})
    channels = ChannelService(
        ChannelsRepository(db),
        None,  # type: ignore[arg-type]  # admin rights are fresh: Telegram is not asked
        entitlements,
        SubscriberSnapshotService(
            ChannelsRepository(db),
            IngestionRepository(db),
            None,  # type: ignore[arg-type]  # no channel is added here
            clock,
            concurrency=1,
        ),
        clock,
        admin_verify_ttl=timedelta(days=365),
        concurrency=1,
    )
    return ShareLinkService(
        ShareLinksRepository(db),
        source,
        channels,
        entitlements,
        clock,
        public_base_url="https://stats.example.com/",
        cache_seconds=60,
    )


async def create(share_links: ShareLinkService, *, days: int = 7, hours: int | None = 24):
    return await share_links.create(
        user_id=OWNER, channel_id=CHANNEL, days=days, lifetime_hours=hours
    )


async def test_only_a_hash_of_the_token_is_stored(share_links, db) -> None:
    created = await create(share_links)

    assert len(created.token) == 32  # 24 random bytes, URL-safe: 192 bits
    assert created.url == f"https://stats.example.com/r/{created.token}"
    row = await db.fetchrow("SELECT * FROM share_links")
    assert row["token_sha256"] == hashlib.sha256(created.token.encode()).digest()
    assert created.token not in repr(dict(row))
    second = await create(share_links)
    assert second.token != created.token


async def test_a_link_opens_until_its_lifetime_is_over(share_links, clock) -> None:
    created = await create(share_links, hours=1)

    clock.advance(minutes=59, seconds=59)
    assert (await share_links.open(created.token)).report.channel_title == "Cooking Daily"
    clock.advance(seconds=1)
    with pytest.raises(ShareLinkExpired):
        await share_links.open(created.token)
    with pytest.raises(ShareLinkExpired):
        await share_links.chart_png(created.token, "growth")


async def test_revoked_unknown_and_orphaned_links_do_not_open(share_links, db) -> None:
    revoked, orphaned = await create(share_links), await create(share_links)
    await share_links.revoke(user_id=OWNER, link_id=revoked.link.id)
    with pytest.raises(ShareLinkNotFound):
        await share_links.revoke(user_id=OWNER, link_id=revoked.link.id)

    with pytest.raises(ShareLinkNotFound):
        await share_links.open(revoked.token)
    for made_up in ("A" * 32, "short", "../../etc/passwd", revoked.token + "x"):
        with pytest.raises(ShareLinkNotFound):
            await share_links.open(made_up)
    # The creator stopped administering the channel: their links stop with their access.
    await db.execute("DELETE FROM channel_admins WHERE user_id = $1", OWNER)
    with pytest.raises(ShareLinkNotFound):
        await share_links.open(orphaned.token)


async def test_only_the_creator_revokes_and_only_admins_create(share_links) -> None:
    created = await create(share_links)
    with pytest.raises(ShareLinkNotFound):
        await share_links.revoke(user_id=STRANGER, link_id=created.link.id)
    with pytest.raises(NotChannelAdmin):
        await share_links.create(user_id=STRANGER, channel_id=CHANNEL, days=7, lifetime_hours=1)
    await share_links.open(created.token)


@pytest.mark.parametrize(
    ("days", "hours", "allowed"),
    [
        pytest.param(7, 168, True, id="7-days-living-a-week"),
        pytest.param(30, 1, True, id="30-days-living-an-hour"),
        pytest.param(7, 720, False, id="a-month-is-past-the-free-cap"),
        pytest.param(7, None, False, id="no-expiry-is-for-paid-plans"),
        pytest.param(90, 24, False, id="90-days-is-past-the-free-history"),
    ],
)
async def test_the_free_plan_caps_lifetime_and_period(share_links, days, hours, allowed) -> None:
    if allowed:
        await create(share_links, days=days, hours=hours)
        return
    with pytest.raises(LimitReached):
        await create(share_links, days=days, hours=hours)


async def test_paid_plans_may_share_without_expiry(share_links, db, clock) -> None:
    await db.execute("INSERT INTO user_plans VALUES ($1, 'pro', 'admin', NULL)", OWNER)
    created = await create(share_links, days=90, hours=None)

    assert created.link.expires_at is None
    clock.advance(days=3650)
    await db.execute("UPDATE channel_admins SET verified_at = $1", clock.now())
    await share_links.open(created.token)


async def test_choices_not_offered_are_refused(share_links) -> None:
    for days, hours in ((8, 24), (7, 2)):
        with pytest.raises(ValueError):
            await create(share_links, days=days, hours=hours)


async def test_concurrent_opens_are_all_counted(share_links, db) -> None:
    created = await create(share_links)

    await asyncio.gather(*(share_links.open(created.token) for _ in range(20)))

    assert await db.fetchval("SELECT open_count FROM share_links") == 20
    (listed,) = await share_links.list_live(user_id=OWNER)
    assert listed.open_count == 20


async def test_a_page_and_its_charts_share_one_build_for_a_while(
    share_links, source: StubSource, clock
) -> None:
    created = await create(share_links)

    await asyncio.gather(
        share_links.open(created.token),
        *(share_links.chart_png(created.token, "growth") for _ in range(3)),
    )
    assert len(source.builds) == 1
    assert source.report.charts_drawn == ["growth"]
    with pytest.raises(UnknownShareFile):
        await share_links.chart_png(created.token, "secrets")
    with pytest.raises(UnknownShareFile):
        await share_links.csv_bytes(created.token, "subscribers")

    clock.advance(seconds=60)
    await share_links.open(created.token)
    assert len(source.builds) == 2


async def test_a_link_past_its_creators_history_has_expired(share_links, source) -> None:
    created = await create(share_links, days=30)
    source.history_lost = True  # the creator went back to a plan with less history

    with pytest.raises(ShareLinkExpired):
        await share_links.open(created.token)
