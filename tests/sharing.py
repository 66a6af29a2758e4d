"""A channel with a week of history, shared by its owner: what share link tests start from."""

from dataclasses import dataclass
from datetime import timedelta

from channel_history import add_views
from fake_telegram import FakeChannel, FakeTelegram, FakeUser

from services.share_links import CreatedShareLink

# (text, days before now, views, 👍) of the channel's posts.
POSTS = (
    ("Pumpkin soup in 20 minutes", 1, 900, 40),
    ("Sourdough, step by step", 2, 2400, 130),
    ("Our readers' best pies", 4, 1300, 25),
)


@dataclass
class SharedChannel:
    owner: FakeUser
    channel: FakeChannel


async def channel_with_history(
    app, tg: FakeTelegram, db, clock, *, language_code: str = "en"
) -> SharedChannel:
    """Alice's Cooking Daily: three posts with views and reactions, joins, a subscriber count."""
    alice = tg.user("Alice", language_code=language_code)
    await tg.send_text(alice, "/start")
    channel = tg.channel("Cooking Daily", "cookingdaily", owner=alice, subscribers=1500)
    await tg.add_bot_to_channel(channel, by=alice)
    now = clock.now()
    views = []
    for text, days_ago, seen, likes in POSTS:
        message_id = await tg.post(channel, text, date=now - timedelta(days=days_ago))
        await tg.react(channel, message_id, {"👍": likes}, date=now)
        views.append((message_id, now, seen))
    await tg.join(channel, count=4)
    await tg.leave(channel, count=1)
    await app.services.ingestion.flush()
    await app.services.subscribers.snapshot_all()
    await add_views(db, channel.id, views)
    return SharedChannel(owner=alice, channel=channel)


async def share(
    app, shared: SharedChannel, *, days: int = 7, hours: int | None = 24
) -> CreatedShareLink:
    return await app.services.share_links.create(
        user_id=shared.owner.id, channel_id=shared.channel.id, days=days, lifetime_hours=hours
    )
