"""The views collector: backfill, polling by post age, and failing previews, against the demo
channel's preview pages served on 127.0.0.1 and a real database."""

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime, timedelta

import aiohttp
import asyncpg
import pytest
from fake_preview import FakePreview, Preview
from fake_telegram import FakeTelegram
from helpers import ManualClock

from db.channels import ChannelsRepository
from db.plans import PlansRepository
from db.users import UsersRepository
from db.views import ViewsRepository
from services.domain.views import ViewSourceStatus
from services.entitlements import EntitlementsService
from services.views import PreviewClient
from services.views.collector import CLAIM_LEASE, ViewsCollector

# Half an hour after the newest demo post (103, 14 May 10:00 UTC).
# The bot under test reads the preview from the local server.
pytestmark = pytest.mark.usefixtures("preview")

START = datetime(2024, 5, 14, 10, 30, tzinfo=UTC)
# What the demo pages show (preview_pages): the newest page (97-103; 96 is a service message,
# 100 and 101 are hidden in 99's album) and the page before 96 (90-94).
PAGE_VIEWS = {
    90: 5_100,
    91: 2_300,
    93: 654,
    94: 1_100,
    97: 987,
    98: 1_200,
    99: 12_500,
    102: 3_400_000,
    103: 4_850,
}
ALICE, BOB = 1001, 1002

_channel_ids = itertools.count(-1001000000001, -1)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def new_collector(
    db: asyncpg.Pool, preview: FakePreview, clock: ManualClock
) -> AsyncIterator[Callable[..., ViewsCollector]]:
    """Builds collectors reading the local preview; keyword arguments override the limits."""
    async with aiohttp.ClientSession() as session:

        def build(**limits: int) -> ViewsCollector:
            return ViewsCollector(
                ViewsRepository(db),
                ChannelsRepository(db),
                PreviewClient(session, base_url=preview.base_url),
                EntitlementsService(PlansRepository(db), clock, standing_counts={}),
                clock,
                **{"concurrency": 2, "channels_per_run": 10, "max_pages": 10, "page_delay": 0}
                | limits,
            )

        yield build


@pytest.fixture
def collector(new_collector: Callable[..., ViewsCollector]) -> ViewsCollector:
    return new_collector()


async def track(db: asyncpg.Pool, username: str | None, *, admins: Iterable[int] = (ALICE,)):
    """A tracked channel administered by users of the bot; returns its id."""
    channel_id = next(_channel_ids)
    for user_id in admins:
        await UsersRepository(db).upsert(
            user_id=user_id, username=None, first_name="Admin", language_code="en"
        )
    channels = ChannelsRepository(db)
    await channels.track(channel_id=channel_id, title=username or "Private", username=username)
    await channels.set_admins(channel_id=channel_id, admin_ids=admins, verified_at=START)
    return channel_id


async def stored_views(db: asyncpg.Pool, channel_id: int) -> dict[int, list[int]]:
    """Each post's stored view counts, oldest observation first."""
    rows = await db.fetch(
        "SELECT message_id, views FROM post_views WHERE channel_id = $1 "
        "ORDER BY message_id, observed_at",
        channel_id,
    )
    views: dict[int, list[int]] = {}
    for row in rows:
        views.setdefault(row["message_id"], []).append(row["views"])
    return views


async def observed_at(db: asyncpg.Pool, channel_id: int, message_id: int) -> list[datetime]:
    rows = await db.fetch(
        "SELECT observed_at FROM post_views WHERE channel_id = $1 AND message_id = $2 "
        "ORDER BY observed_at",
        channel_id,
        message_id,
    )
    return [row["observed_at"] for row in rows]


async def source_of(db: asyncpg.Pool, channel_id: int):
    return await ViewsRepository(db).source(channel_id=channel_id)


async def test_first_run_backfills_every_post_on_the_pages(db, preview, collector) -> None:
    preview.channel("analyticsdemo")
    channel_id = await track(db, "analyticsdemo")

    await collector.collect_due()

    # Back to the empty page past 1 May: all of it lies within the free plan's 30 days.
    assert preview.requests == {
        "/s/analyticsdemo": 1,
        "/s/analyticsdemo?before=96": 1,
        "/s/analyticsdemo?before=90": 1,
    }
    assert await stored_views(db, channel_id) == {i: [views] for i, views in PAGE_VIEWS.items()}
    posts = await db.fetch(
        "SELECT message_id, posted_at, text, media_kind FROM posts WHERE channel_id = $1 "
        "ORDER BY message_id",
        channel_id,
    )
    assert [row["message_id"] for row in posts] == sorted(PAGE_VIEWS)
    by_id = {row["message_id"]: row for row in posts}
    assert (by_id[99]["text"], by_id[99]["media_kind"]) == (
        "Three charts from the May report",
        "photo",
    )
    assert by_id[91]["media_kind"] == "video"
    assert by_id[103]["posted_at"] == datetime(2024, 5, 14, 10, 0, tzinfo=UTC)
    source = await source_of(db, channel_id)
    assert source.status is ViewSourceStatus.OK
    assert (source.backfilled_at, source.last_polled_at, source.failures) == (START, START, 0)


async def test_backfill_leaves_the_bots_own_posts_alone(db, preview, collector) -> None:
    preview.channel("analyticsdemo")
    channel_id = await track(db, "analyticsdemo")
    # The bot has tracked the channel since 12 May and ingested post 102 itself.
    await db.execute(
        "UPDATE channels SET added_at = '2024-05-12 12:00+00' WHERE id = $1", channel_id
    )
    await db.execute(
        "INSERT INTO posts (channel_id, message_id, posted_at, text, media_file_unique_id) "
        "VALUES ($1, 102, '2024-05-13 07:45+00', 'As the bot saw it', 'file-102')",
        channel_id,
    )

    await collector.collect_due()

    posts = await db.fetch(
        "SELECT message_id, text, media_file_unique_id FROM posts WHERE channel_id = $1 "
        "ORDER BY message_id",
        channel_id,
    )
    # Posts from before the bot came are added; later ones are the bot's own ingestion's.
    assert [row["message_id"] for row in posts] == [90, 91, 93, 94, 97, 98, 102]
    assert tuple(posts[-1])[1:] == ("As the bot saw it", "file-102")
    assert (await stored_views(db, channel_id))[103] == [4_850]


async def test_backfill_reaches_back_as_far_as_the_largest_plan_of_the_admins(
    db, preview, collector, clock
) -> None:
    clock.advance(days=29)  # 12 June: 30 days back is 13 May, within the newest page
    preview.channel("analyticsdemo")
    preview.channel("prochannel")
    free_channel = await track(db, "analyticsdemo", admins=[ALICE])
    pro_channel = await track(db, "prochannel", admins=[ALICE, BOB])
    await db.execute("INSERT INTO user_plans VALUES ($1, 'pro', 'admin', NULL)", BOB)

    await collector.collect_due()

    assert preview.asked("analyticsdemo") == 1
    assert preview.asked("analyticsdemo", before=96) == 0
    assert preview.asked("prochannel", before=96) == 1
    assert set(await stored_views(db, free_channel)) == {97, 98, 99, 102, 103}
    assert set(await stored_views(db, pro_channel)) == set(PAGE_VIEWS)


async def test_polling_follows_each_posts_age(db, preview, collector, clock) -> None:
    preview.channel("analyticsdemo")
    channel_id = await track(db, "analyticsdemo")
    await collector.collect_due()

    # Ten minutes on, only 103 (half an hour old) is due: the newest page covers it.
    clock.advance(minutes=10)
    await collector.collect_due()
    assert preview.requests == {
        "/s/analyticsdemo": 2,
        "/s/analyticsdemo?before=96": 1,
        "/s/analyticsdemo?before=90": 1,
    }
    assert await observed_at(db, channel_id, 103) == [START, START + timedelta(minutes=10)]
    assert await observed_at(db, channel_id, 98) == [START]  # three days old: daily

    clock.advance(minutes=5)
    await collector.collect_due()
    assert preview.asked("analyticsdemo") == 2  # nothing due yet

    # An hour after the backfill, the day-old posts 99 and 102 are due as well.
    clock.advance(minutes=45)
    await collector.collect_due()
    assert preview.asked("analyticsdemo") == 3
    views = await stored_views(db, channel_id)
    assert {i: len(counts) for i, counts in views.items() if len(counts) > 1} == {
        99: 2,
        102: 2,
        103: 3,
    }

    # A day later the older posts are due, so the page before 96 is read again, but no further.
    clock.advance(days=1)
    await collector.collect_due()
    assert preview.asked("analyticsdemo", before=96) == 2
    assert preview.asked("analyticsdemo", before=90) == 1
    assert len((await stored_views(db, channel_id))[90]) == 2


async def test_posts_the_preview_does_not_show_are_not_polled_again_and_again(
    db, preview, collector, clock
) -> None:
    clock.advance(days=22)  # 5 June: posts 90-94 are over 30 days old, no longer polled
    preview.channel("analyticsdemo")
    channel_id = await track(db, "analyticsdemo")
    # The bot ingested the album as its three messages (the preview shows 99 for all of them)
    # and the service message 96 (which shows no views).
    album_at = datetime(2024, 5, 12, 18, 30, tzinfo=UTC)
    service_at = datetime(2024, 5, 10, 8, tzinfo=UTC)
    await db.executemany(
        "INSERT INTO posts (channel_id, message_id, posted_at, media_group_id) "
        "VALUES ($1, $2, $3, $4)",
        [(channel_id, 96, service_at, None)]
        + [(channel_id, message_id, album_at, "album") for message_id in (99, 100, 101)],
    )
    await collector.collect_due()

    clock.advance(minutes=10)
    await collector.collect_due()
    assert preview.asked("analyticsdemo") == 1

    # Post 95 was published on 9 May and then deleted: the bot has it, the preview does not.
    await db.execute(
        "INSERT INTO posts (channel_id, message_id, posted_at) "
        "VALUES ($1, 95, '2024-05-09 12:00+00')",
        channel_id,
    )
    clock.advance(days=1)
    await collector.collect_due()
    assert preview.asked("analyticsdemo", before=96) == 2  # down to where 95 would be

    clock.advance(minutes=10)
    await collector.collect_due()
    assert preview.asked("analyticsdemo", before=96) == 2  # and not again


async def test_a_run_fetches_at_most_channels_per_run(db, preview, new_collector) -> None:
    usernames = ("first", "second", "third")
    for username in usernames:
        preview.channel(username)
        await track(db, username)
    collector = new_collector(channels_per_run=2)

    await collector.collect_due()
    assert sorted(preview.asked(username) for username in usernames) == [0, 1, 1]

    await collector.collect_due()
    assert [preview.asked(username) for username in usernames] == [1, 1, 1]


async def test_channels_without_a_public_preview_are_private(db, preview, collector) -> None:
    without_username = await track(db, None)
    preview.channel("hiddenchannel", Preview.HIDDEN)
    hidden = await track(db, "hiddenchannel")

    await collector.collect_due()

    assert preview.requests == {"/s/hiddenchannel": 1}
    no_username = await source_of(db, without_username)
    assert (no_username.status, no_username.last_polled_at) == (ViewSourceStatus.PRIVATE, None)
    assert no_username.last_error == "no public username"
    redirected = await source_of(db, hidden)
    assert redirected.status is ViewSourceStatus.PRIVATE
    assert "redirected to" in redirected.last_error
    assert await db.fetchval("SELECT count(*) FROM post_views") == 0


@pytest.mark.parametrize(
    ("failure", "status", "reason"),
    [
        pytest.param(
            Preview.LAYOUT_CHANGED,
            ViewSourceStatus.LAYOUT_CHANGED,
            "no section.tgme_channel_history",
            id="layout-changed",
        ),
        pytest.param(
            Preview.SERVER_ERROR, ViewSourceStatus.UNAVAILABLE, "HTTP 500", id="server-error"
        ),
    ],
)
async def test_failing_preview_is_reported_and_loses_nothing(
    db, preview, collector, clock, caplog, failure, status, reason
) -> None:
    preview.channel("analyticsdemo")
    channel_id = await track(db, "analyticsdemo")
    await collector.collect_due()
    backfilled = await stored_views(db, channel_id)

    preview.channel("analyticsdemo", failure)
    clock.advance(minutes=10)
    with caplog.at_level(logging.INFO, logger="services.views.collector"):
        await collector.collect_due()

    source = await source_of(db, channel_id)
    assert (source.status, source.failures, source.last_error) == (status, 1, reason)
    assert any(
        "@analyticsdemo" in r.getMessage() and reason in r.getMessage() for r in caplog.records
    )
    assert await stored_views(db, channel_id) == backfilled

    # Retried after a pause that grows with each failure; a good page clears the count.
    clock.advance(minutes=10)
    await collector.collect_due()
    assert (await source_of(db, channel_id)).failures == 2
    clock.advance(minutes=10)
    await collector.collect_due()
    assert preview.asked("analyticsdemo") == 3  # two failures: 20 minutes' pause, not 10
    preview.channel("analyticsdemo")
    clock.advance(minutes=10)
    await collector.collect_due()
    source = await source_of(db, channel_id)
    assert (source.status, source.failures, source.last_error) == (ViewSourceStatus.OK, 0, None)
    assert len((await stored_views(db, channel_id))[103]) == 2


@pytest.mark.settings(views_page_delay_seconds=0)
async def test_bot_made_admin_of_a_public_channel_collects_its_views(
    app, tg: FakeTelegram, db, preview
) -> None:
    preview.channel("analyticsdemo")
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    channel = tg.channel("Analytics Demo", "analyticsdemo", owner=alice)

    await tg.add_bot_to_channel(channel, by=alice)
    assert "Now tracking" in tg.texts_to(alice)[-1]
    assert preview.requests == {}  # the handler does not wait for the backfill

    job = app.app.scheduler.get_job("post_views")
    await job.func()

    assert await stored_views(db, channel.id) == {i: [views] for i, views in PAGE_VIEWS.items()}
    assert (await source_of(db, channel.id)).backfilled_at is not None


async def test_two_processes_collecting_at_once_fetch_each_channel_once(
    db, preview, new_collector
) -> None:
    usernames = [f"channel{n}" for n in range(4)]
    for username in usernames:
        preview.channel(username)
        await track(db, username)
    first, second = new_collector(), new_collector()

    outcomes = await asyncio.gather(first.collect_due(), second.collect_due())

    assert sorted(len(o) for o in outcomes) in ([0, 4], [1, 3], [2, 2])
    assert {username: preview.asked(username) for username in usernames} == dict.fromkeys(
        usernames, 1
    )


async def test_channels_a_dead_process_claimed_wait_for_its_lease_to_run_out(
    db, preview, collector, clock
) -> None:
    preview.channel("analyticsdemo")
    channel_id = await track(db, "analyticsdemo")
    # A process claimed the channel, then died before recording anything.
    await ViewsRepository(db).claim_channels(
        channel_ids=[channel_id], now=clock.now(), lease_until=clock.now() + CLAIM_LEASE
    )

    assert await collector.collect_due() == []
    clock.advance(seconds=CLAIM_LEASE.total_seconds())
    collected = await collector.collect_due()

    assert [o.channel_id for o in collected] == [channel_id]
    assert preview.asked("analyticsdemo") == 1
