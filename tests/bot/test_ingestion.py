"""What happens in a tracked channel lands in the database."""

from datetime import UTC, datetime, timedelta

import pytest
from fake_telegram import FakeTelegram
from stories import owner_with_channel


@pytest.fixture
async def channel(app, tg: FakeTelegram):
    _, channel = await owner_with_channel(tg)
    return channel


async def test_posts_and_edits_are_stored(app, tg: FakeTelegram, channel, db) -> None:
    posted_at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    text_id = await tg.post(channel, "Borscht recipe", date=posted_at)
    photo_id = await tg.post(channel, "Look at this pie", photo=True)
    await tg.edit_post(channel, text_id, "Borscht recipe (updated)")
    await app.services.ingestion.flush()

    rows = await db.fetch(
        "SELECT message_id, posted_at, text, media_kind, media_file_unique_id, edited_at "
        "FROM posts WHERE channel_id = $1 ORDER BY message_id",
        channel.id,
    )
    assert [r["message_id"] for r in rows] == [text_id, photo_id]
    assert rows[0]["text"] == "Borscht recipe (updated)"
    assert rows[0]["posted_at"] == posted_at
    assert rows[0]["edited_at"] is not None
    assert rows[0]["media_kind"] is None
    assert rows[1]["media_kind"] == "photo"
    assert rows[1]["text"] == "Look at this pie"
    assert rows[1]["media_file_unique_id"]


async def test_an_older_edit_never_overwrites_a_newer_one(app, tg, channel, db) -> None:
    message_id = await tg.post(channel, "v1")
    now = datetime.now(UTC)
    await tg.edit_post(channel, message_id, "v3", edit_date=now)
    await app.services.ingestion.flush()
    await tg.edit_post(channel, message_id, "v2", edit_date=now - timedelta(minutes=5))
    await app.services.ingestion.flush()

    assert await db.fetchval("SELECT text FROM posts WHERE message_id = $1", message_id) == "v3"


async def test_reaction_counts_are_stored_over_time(app, tg, channel, db) -> None:
    message_id = await tg.post(channel, "React to me")
    first = datetime.now(UTC).replace(microsecond=0)
    await tg.react(channel, message_id, {"👍": 3, "🔥": 1}, date=first)
    await tg.react(
        channel, message_id, {"👍": 5, "🔥": 2, "paid": 1}, date=first + timedelta(minutes=1)
    )
    await app.services.ingestion.flush()

    rows = await db.fetch(
        "SELECT total, reactions FROM post_reaction_counts "
        "WHERE message_id = $1 ORDER BY observed_at",
        message_id,
    )
    assert [r["total"] for r in rows] == [4, 8]
    assert rows[1]["reactions"] == {"👍": 5, "🔥": 2, "paid": 1}


async def test_joins_and_leaves_are_counted_without_identities(app, tg, channel, db) -> None:
    await tg.join(channel, count=3, invite_link_name="Spring promo")
    await tg.leave(channel, count=1)
    await app.services.ingestion.flush()

    rows = await db.fetch(
        "SELECT kind, invite_link_name FROM subscriber_events WHERE channel_id = $1 ORDER BY id",
        channel.id,
    )
    assert [r["kind"] for r in rows] == ["join", "join", "join", "leave"]
    assert rows[0]["invite_link_name"] == "Spring promo"
    columns = await db.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'subscriber_events'"
    )
    assert not any("user" in c["column_name"] for c in columns)


async def test_subscriber_count_job_stores_a_snapshot(app, tg, channel, db) -> None:
    stored = await app.services.subscribers.snapshot_all()

    assert stored == 1
    row = await db.fetchrow(
        "SELECT subscribers FROM subscriber_snapshots WHERE channel_id = $1", channel.id
    )
    assert row["subscribers"] == 1500
    assert app.app.scheduler.get_job("subscriber_snapshots") is not None


async def test_untracked_channels_are_not_recorded(app, tg: FakeTelegram, db) -> None:
    stranger = tg.channel("Unknown", "unknownchan", owner=tg.user("Eve"))
    stranger.bot_status = "administrator"
    await tg.post(stranger, "Not ours")
    await tg.join(stranger)
    await app.services.ingestion.flush()

    assert await db.fetchval("SELECT count(*) FROM posts") == 0
    assert await db.fetchval("SELECT count(*) FROM subscriber_events") == 0


async def test_a_post_is_confirmed_to_telegram_only_once_it_is_stored(app, tg, channel, db) -> None:
    await db.execute("ALTER TABLE posts RENAME TO posts_away")
    try:
        with tg.without_waiting():
            await tg.post(channel, "Survives an outage")
        mark = tg.mark()
        # The bot keeps asking for updates, but does not confirm the post it could not store.
        await tg.wait_for("getUpdates", after=mark, timeout=10)
        await tg.wait_for("getUpdates", after=tg.mark(), timeout=10)
        assert len(tg.unconfirmed) == 1
    finally:
        await db.execute("ALTER TABLE posts_away RENAME TO posts")
    await tg.until_confirmed()

    assert await db.fetchval("SELECT text FROM posts") == "Survives an outage"


@pytest.mark.settings(ingest_batch_size=3)
async def test_a_full_batch_is_written_without_waiting(app, tg, channel, db) -> None:
    for number in range(3):
        await tg.post(channel, f"Post {number}")

    assert await db.fetchval("SELECT count(*) FROM posts") == 3
