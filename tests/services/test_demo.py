"""The demo history: every table filled with numbers that look like a real channel's."""

from datetime import UTC, datetime

from fake_telegram import FakeTelegram

from services.demo import DemoSize, write_demo

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
SMALL = DemoSize(days=10, posts_per_day=3, channels=1)


async def test_demo_fills_every_table_with_plausible_numbers(db) -> None:
    written = await write_demo(db, size=SMALL, now=NOW, admin_user_id=42)

    counts = {table: await db.fetchval(f"SELECT count(*) FROM {table}") for table in written}
    assert counts == written
    assert all(count > 0 for count in counts.values()), counts
    # Ten days ending at 15:30 today: nine full days of posts and today's before now.
    assert 27 <= counts["posts"] <= 30
    assert await db.fetchval("SELECT count(*) FROM posts WHERE posted_at >= $1", NOW) == 0

    texts = [r["text"] for r in await db.fetch("SELECT text FROM posts")]
    assert any(
        any("а" <= ch <= "я" for ch in t) and any("a" <= ch <= "z" for ch in t) for t in texts
    )
    kinds = {r["media_kind"] for r in await db.fetch("SELECT DISTINCT media_kind FROM posts")}
    assert {None, "photo"} <= kinds

    # Views rise and flatten: never down, most of them within a day, and a realistic reach.
    curves = await db.fetch(
        """
        SELECT message_id, array_agg(views ORDER BY observed_at) AS views,
               max(observed_at - p.posted_at) AS observed_for
          FROM post_views v JOIN posts p USING (channel_id, message_id)
         GROUP BY message_id
        """
    )
    assert len(curves) == counts["posts"]
    subscribers = await db.fetchval("SELECT min(subscribers) FROM subscriber_snapshots")
    for curve in curves:
        views = curve["views"]
        assert views == sorted(views)
        if curve["observed_for"].days >= 2:
            day_one = await db.fetchval(
                """
                SELECT max(v.views) FROM post_views v JOIN posts p USING (channel_id, message_id)
                 WHERE message_id = $1 AND v.observed_at <= p.posted_at + interval '24 hours'
                """,
                curve["message_id"],
            )
            assert 0.5 * views[-1] < day_one < views[-1]
            assert 0.05 * subscribers < views[-1] < 1.5 * subscribers
    assert await db.fetchval(
        """
        SELECT bool_and(r.total <= v.views AND r.total = (
                   SELECT sum(value::int) FROM jsonb_each_text(r.reactions)))
          FROM post_reaction_counts r
          JOIN LATERAL (SELECT views FROM post_views v
                         WHERE (v.channel_id, v.message_id) = (r.channel_id, r.message_id)
                           AND v.observed_at <= r.observed_at
                         ORDER BY v.observed_at DESC LIMIT 1) v ON true
        """
    )

    # Joins outnumber leaves, and the snapshots count exactly what joined and left.
    days = await db.fetch(
        """
        SELECT count(*) FILTER (WHERE kind = 'join') AS joins,
               count(*) FILTER (WHERE kind = 'leave') AS leaves
          FROM subscriber_events GROUP BY occurred_at::date
        """
    )
    assert len(days) == SMALL.days
    assert sum(d["joins"] for d in days) > sum(d["leaves"] for d in days) > 0
    first, last = await db.fetch(
        """
        (SELECT taken_at, subscribers FROM subscriber_snapshots ORDER BY taken_at LIMIT 1)
        UNION ALL
        (SELECT taken_at, subscribers FROM subscriber_snapshots ORDER BY taken_at DESC LIMIT 1)
        """
    )
    net = await db.fetchval(
        """
        SELECT count(*) FILTER (WHERE kind = 'join') - count(*) FILTER (WHERE kind = 'leave')
          FROM subscriber_events WHERE occurred_at > $1 AND occurred_at <= $2
        """,
        first["taken_at"],
        last["taken_at"],
    )
    assert last["subscribers"] - first["subscribers"] == net

    # Joins through the demo's named links count to those links in /links.
    linked = await db.fetch(
        """
        SELECT l.name, count(*) AS joins FROM subscriber_events e
          JOIN invite_links l ON l.id = e.invite_link_id
         WHERE e.source = 'link' GROUP BY l.name
        """
    )
    assert linked and {row["name"] for row in linked} <= {"Partner promo", "Instagram bio"}
    assert sum(row["joins"] for row in linked) == await db.fetchval(
        "SELECT count(*) FROM subscriber_events WHERE invite_link_name IS NOT NULL"
    )


async def test_running_the_demo_again_replaces_it(db) -> None:
    await write_demo(
        db, size=DemoSize(days=3, posts_per_day=2, channels=2), now=NOW, admin_user_id=42
    )

    again = await write_demo(db, size=DemoSize(days=3, posts_per_day=2), now=NOW, admin_user_id=42)

    assert await db.fetchval("SELECT count(*) FROM channels") == 1
    assert await db.fetchval("SELECT count(*) FROM posts") == again["posts"]
    assert await db.fetchval("SELECT count(*) FROM channel_admins WHERE user_id = 42") == 1


async def test_the_demo_admin_can_see_and_export_the_demo_channel(
    app, tg: FakeTelegram, db, clock
) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/start")
    await write_demo(db, size=SMALL, now=clock.now(), admin_user_id=alice.id)
    # Long after any admin check would be stale, the demo stays reachable.
    clock.advance(days=1)

    await tg.send_text(alice, "/export @cookingdaily_demo 7")

    album = tg.last_to(alice, "sendMediaGroup")
    posts = album.files["media[0]"]
    assert posts.filename.startswith("cookingdaily_demo_posts_")
    in_period = await db.fetchval(
        "SELECT count(*) FROM posts WHERE posted_at >= $1::date - 6", clock.now().date()
    )
    assert in_period > 0
    assert posts.data.count(b"https://t.me/cookingdaily_demo/") == in_period

    await tg.send_text(alice, "/stats @cookingdaily_demo 7d")
    stats = tg.last_to(alice, "sendMessage").text
    assert f"Posts: {in_period}" in stats
    assert "Views are being collected" not in stats
