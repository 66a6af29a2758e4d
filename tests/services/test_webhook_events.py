"""Each webhook event, published from where it happens: ingestion (post.published), the views
collector (post.views), subscriber snapshots (subscribers.daily), alert delivery
(alert.fired), billing (plan.changed), tracking (channel.added, channel.removed)."""

from datetime import UTC, datetime, timedelta

import pytest
from fake_telegram import FakeTelegram
from stories import (
    on_plan,
    owner_with_channel,
    started,
    tracked_channel,
    views_alert_fired,
    webhook_endpoint,
)

from db.views import ViewsRepository
from services.domain.views import ViewCount

pytestmark = pytest.mark.settings(webhook_allow_private_addresses=True)


async def delivered(app, receiver, event_type: str) -> list[dict]:
    await app.services.webhook_delivery.deliver_due()
    assert receiver.refused == []
    return [d.payload["data"] for d in receiver.of_type(event_type)]


async def test_a_new_post_is_published_once_and_its_edits_are_not(
    app, tg: FakeTelegram, receiver
) -> None:
    alice, channel = await owner_with_channel(tg)
    await webhook_endpoint(app, receiver, alice)
    message_id = await tg.post(channel, "Pancakes", photo=True)
    await app.services.ingestion.flush()
    await tg.edit_post(channel, message_id, "Pancakes with honey")
    await app.services.ingestion.flush()

    posts = await delivered(app, receiver, "post.published")
    assert [(p["message_id"], p["text"], p["media_kind"]) for p in posts] == [
        (message_id, "Pancakes", "photo")
    ]


async def test_channels_tracked_and_no_longer_tracked(app, tg: FakeTelegram, receiver) -> None:
    alice = await started(tg)
    await webhook_endpoint(app, receiver, alice)
    channel = await tracked_channel(tg, alice, "Baking", "bakingdaily")
    await tg.remove_bot_from_channel(channel, by=alice)

    assert await delivered(app, receiver, "channel.added") == [
        {"channel_id": channel.id, "title": "Baking", "username": "bakingdaily"}
    ]
    assert await delivered(app, receiver, "channel.removed") == [
        {
            "channel_id": channel.id,
            "title": "Baking",
            "username": "bakingdaily",
            "reason": "bot_removed",
        }
    ]


async def test_a_channel_removed_with_its_data_still_reaches_its_admins(
    app, tg: FakeTelegram, receiver
) -> None:
    alice, channel = await owner_with_channel(tg)
    await webhook_endpoint(app, receiver, alice)
    await app.services.channels.stop_tracking(
        user_id=alice.id, channel_id=channel.id, delete_data=True
    )
    removed = await delivered(app, receiver, "channel.removed")
    assert [r["reason"] for r in removed] == ["deleted"]


async def test_a_posts_views_at_one_day_and_two_days(
    app, tg: FakeTelegram, db, receiver, clock
) -> None:
    alice, channel = await owner_with_channel(tg)
    await webhook_endpoint(app, receiver, alice, events=["post.views"])
    posted_at = clock.now()
    message_id = await tg.post(channel, "Soup", date=posted_at)
    await app.services.ingestion.flush()

    views = ViewsRepository(db)
    for age, seen in [
        (timedelta(minutes=30), 100),
        (timedelta(hours=1, minutes=5), 180),
        (timedelta(hours=2), 240),
        (timedelta(hours=24, minutes=10), 900),
        (timedelta(hours=30), 950),
        (timedelta(hours=50), 1200),
        (timedelta(hours=80), 1300),
    ]:
        await views.store_page(
            channel_id=channel.id,
            observed_at=posted_at + age,
            view_counts=[ViewCount(message_id=message_id, views=seen)],
        )

    milestones = await delivered(app, receiver, "post.views")
    assert [(m["message_id"], m["age_hours"], m["views"]) for m in milestones] == [
        (message_id, 1, 180),
        (message_id, 24, 900),
        (message_id, 48, 1200),
    ]


async def test_subscribers_of_the_day_before_with_the_first_count_of_a_day(
    app, tg: FakeTelegram, receiver, clock
) -> None:
    alice, channel = await owner_with_channel(tg, subscribers=1500)  # counted when tracked
    await webhook_endpoint(app, receiver, alice, events=["subscribers.daily"])
    day = clock.now().astimezone(UTC).date()
    channel.subscribers = 1530
    await app.services.subscribers.snapshot_all()
    assert await delivered(app, receiver, "subscribers.daily") == []

    next_midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
    clock.advance(seconds=(next_midnight - clock.now()).total_seconds() + 600)
    channel.subscribers = 1545
    await app.services.subscribers.snapshot_all()
    await app.services.subscribers.snapshot_all()  # a second count that day adds nothing

    assert await delivered(app, receiver, "subscribers.daily") == [
        {
            "channel_id": channel.id,
            "day": day.isoformat(),
            "time_zone": "UTC",
            "subscribers": 1530,
            "change": None,
        }
    ]


async def test_plan_changes(app, tg: FakeTelegram, receiver, clock) -> None:
    alice = await started(tg)
    await webhook_endpoint(app, receiver, alice, events=["plan.changed"])
    await on_plan(app, alice, "pro", days=30)
    clock.advance(days=31)
    await app.services.billing.end_expired_plans()

    changes = await delivered(app, receiver, "plan.changed")
    assert [(c["previous_plan"], c["plan"]) for c in changes] == [("free", "pro"), ("pro", "free")]
    assert changes[0]["expires_at"] is not None and changes[1]["expires_at"] is None


async def test_an_alert_delivered_to_its_owner_is_published(
    app, tg: FakeTelegram, db, receiver, clock
) -> None:
    alice, channel = await owner_with_channel(tg)
    await webhook_endpoint(app, receiver, alice, events=["alert.fired"])
    await views_alert_fired(
        app, tg, db, clock, alice, channel, "Viral", views=1500, after=timedelta(hours=3)
    )

    fired = await delivered(app, receiver, "alert.fired")
    assert len(fired) == 1
    assert fired[0]["channel_id"] == channel.id and fired[0]["kind"] == "post_views"
