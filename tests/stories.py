"""The stories tests start from, told the way a user lives them: through the bot's commands and
Telegram's updates wherever those exist, through the database only for what no user can do
(views come from Telegram's web preview, past history from the days before the test).

    alice, channel = await owner_with_channel(tg)  # /start, then the bot added as admin
    await tracked_channel(tg, alice, "Baking", "bakingdaily")  # one more of hers
    alice, channel = await owner_with_planted_history(tg, db, clock)  # what drives views
    await on_plan(app, alice, "business")  # what /grant does
    shared = await channel_with_history(app, tg, db, clock)  # posts, reactions, joins, views
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from channel_history import SAMPLE_SUBSCRIBERS, add_views, set_views_source, write_sample_history
from fake_telegram import FakeChannel, FakeTelegram, FakeUser
from insights_history import TIME_ZONE, generate, write_generated

from services.domain.alerts import AlertKind, AlertThresholds
from services.domain.webhooks import SUBSCRIBABLE
from services.share_links import CreatedShareLink


async def started(tg: FakeTelegram, name: str = "Alice", *, language_code: str = "en") -> FakeUser:
    """A new user who has sent /start, so the bot may write to them."""
    user = tg.user(name, language_code=language_code)
    await tg.send_text(user, "/start")
    return user


async def tracked_channel(
    tg: FakeTelegram,
    owner: FakeUser,
    title: str = "Cooking Daily",
    username: str | None = "cookingdaily",
    *,
    subscribers: int = 1500,
) -> FakeChannel:
    """A new channel of the owner's, tracked: the owner adds the bot as admin (my_chat_member)."""
    channel = tg.channel(title, username, owner=owner, subscribers=subscribers)
    await tg.add_bot_to_channel(channel, by=owner)
    return channel


async def owner_with_channel(
    tg: FakeTelegram,
    name: str = "Alice",
    title: str = "Cooking Daily",
    username: str | None = "cookingdaily",
    *,
    language_code: str = "en",
    subscribers: int = 1500,
) -> tuple[FakeUser, FakeChannel]:
    """A user who started the bot and has it track their channel."""
    owner = await started(tg, name, language_code=language_code)
    return owner, await tracked_channel(tg, owner, title, username, subscribers=subscribers)


async def owner_of(tg: FakeTelegram, *usernames: str) -> FakeUser:
    """A user who started the bot and has it track a channel for each username (titled after it)."""
    owner = await started(tg)
    for username in usernames:
        await tracked_channel(tg, owner, username.title(), username)
    return owner


async def on_plan(app, user: FakeUser, plan_code: str, *, days: int = 30) -> None:
    """The user on a paid plan for some days, as an admin's /grant puts them (tests run no
    admin chat, so the story calls what the command calls)."""
    await app.services.billing.grant(user_id=user.id, plan_code=plan_code, days=days)


async def set_time_zone(tg: FakeTelegram, user: FakeUser, time_zone: str) -> None:
    """The user picks a time zone in /settings (its button is the 🌍 one in every language)."""
    await tg.send_text(user, "/settings")
    await tg.press_button(user, tg.last_to(user, "sendMessage"), "🌍")
    await tg.send_text(user, time_zone)
    assert "✅ " in tg.texts_to(user)[-1] and f"<b>{time_zone}</b>" in tg.texts_to(user)[-1]


async def owner_with_sample_history(
    tg: FakeTelegram,
    db,
    *,
    name: str = "Alice",
    language_code: str = "en",
    views_source: str = "ok",
) -> FakeUser:
    """Alice (or `name`), in Moscow, tracks @testchannel with channel_history's sample history,
    whose numbers are worked out in write_sample_history."""
    alice, channel = await owner_with_channel(
        tg,
        name,
        "Test Channel",
        "testchannel",
        language_code=language_code,
        subscribers=SAMPLE_SUBSCRIBERS,  # the count Telegram reports as the history ends
    )
    await set_time_zone(tg, alice, "Europe/Moscow")
    await write_sample_history(db, channel.id)
    await set_views_source(db, channel.id, views_source)
    return alice


async def views_alert_fired(
    app,
    tg: FakeTelegram,
    db,
    clock,
    owner: FakeUser,
    channel: FakeChannel,
    text: str,
    *,
    views: int,
    after: timedelta,
) -> int:
    """The owner's alert on 1,000 views within 24 h fires for a new post: the views collector
    finds `views` on it `after` it was posted. Returns the post's message id."""
    await app.services.alerts.create_rule(
        user_id=owner.id,
        channel_id=channel.id,
        kind=AlertKind.POST_VIEWS,
        thresholds=AlertThresholds(amount=1000, hours=24),
    )
    post_id = await tg.post(channel, text, date=clock.now())
    await app.services.ingestion.flush()
    clock.advance(seconds=after.total_seconds())
    await add_views(db, channel.id, [(post_id, clock.now(), views)])
    await app.services.alerts.on_views_collected(channel_ids=[channel.id])
    await app.services.alert_delivery.deliver_due()
    return post_id


# (text, days before now, views, 👍) of the posts of channel_with_history.
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
    alice, channel = await owner_with_channel(
        tg, "Alice", "Cooking Daily", "cookingdaily", language_code=language_code
    )
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
    """A share link of the channel, made as /share makes it."""
    return await app.services.share_links.create(
        user_id=shared.owner.id, channel_id=shared.channel.id, days=days, lifetime_hours=hours
    )


async def webhook_endpoint(
    app, receiver, owner: FakeUser, *, events=None, path: str = "/hooks"
) -> int:
    """The owner's endpoint at the receiver (every event unless `events` says), as /webhooks
    adds one; the receiver learns its secret. Returns the endpoint's id."""
    created = await app.services.webhooks.create(
        user_id=owner.id, url=receiver.url(path), events=events or list(SUBSCRIBABLE)
    )
    receiver.expect(path, created.secret)
    return created.endpoint.id


async def owner_with_planted_history(
    tg: FakeTelegram, db, clock, *, posts: int = 600, language_code: str = "en", seed: int = 7
) -> tuple[FakeUser, FakeChannel]:
    """Alice, in Moscow, tracks Cooking Daily, whose `posts` posts up to a day ago carry
    insights_history's planted effects (photos 1.6×, 18–20 h 1.4×, «розыгрыш» 1.5×, long
    texts 0.8×) and noise features with none."""
    alice, channel = await owner_with_channel(tg, language_code=language_code)
    await set_time_zone(tg, alice, TIME_ZONE)
    await write_generated(db, channel.id, generate(posts, seed=seed, end=clock.now()))
    return alice, channel


async def api_key(
    tg: FakeTelegram, user: FakeUser, name: str = "Sheets", *, can_write: bool = False
) -> str:
    """A key the user creates in /api (read-only unless can_write); returns its token, which
    the bot shows once."""
    await tg.send_text(user, "/api")
    button = "read-write" if can_write else "read-only"
    await tg.press_button(user, tg.last_to(user, "sendMessage"), button)
    await tg.send_text(user, name)
    created = tg.texts_to(user)[-1]
    match = re.search(r"<code>(ab_[A-Za-z0-9_-]+)</code>", created)
    assert match is not None, created
    return match.group(1)


async def dashboard_token(app, tg: FakeTelegram, http, user: FakeUser) -> str:
    """The user opens the dashboard Mini App from the bot: the page trades the initData
    Telegram signed for it just now for a session token, as /app's script does."""
    init_data = tg.init_data(user, auth_date=app.app.clock.now())
    async with http.post(
        f"{app.app.web_url}/api/v1/session", json={"init_data": init_data}
    ) as response:
        assert response.status == 201, await response.text()
        return (await response.json())["token"]
