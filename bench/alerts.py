"""Alerts: one evaluation pass over 10,000 channels with 3 rules each, against a bare SQL read
of the same tables; and the outgoing queue's sustained rate against the fake Telegram with
Telegram's flood limits on, against sending the same messages unpaced.

Uses DATABASE_URL's server (in a database of its own, dropped after) or an embedded PostgreSQL
in a temporary folder.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fake_telegram import BOT_TOKEN, FakeTelegram, FloodLimits
from helpers import bench_pool

from bot.alert_sender import AiogramAlertSender
from bot.i18n_texts.alerts import alert_message
from bot.session import create_session
from db.alerts.evaluation import AlertEvaluationRepository
from services.alert_delivery import AlertMessage
from services.clock import SystemClock
from services.domain.alerts import AlertKind, AlertRuleRecord, AlertThresholds
from services.i18n import Catalogs
from services.outgoing import OutgoingQueue

CHANNELS = 10_000
RULES_PER_CHANNEL = 3
RUNS = 3
NOW = datetime.now(UTC).replace(microsecond=0)

# A script with the bench's own constants filled in (str.format): kinds in turn, three rules
# per channel with everyday thresholds, and a few weeks of channel history.
_POPULATE = """
INSERT INTO users (id, first_name) SELECT g, 'Owner' FROM generate_series(1, {channels}) g;
INSERT INTO channels (id, title, username)
     SELECT -1000000000000 - g, 'Channel ' || g, 'channel' || g
       FROM generate_series(1, {channels}) g;
INSERT INTO channel_admins
     SELECT -1000000000000 - g, g, {now} FROM generate_series(1, {channels}) g;
INSERT INTO alert_rules (owner_id, channel_id, kind, amount, percent, hours, factor, created_at)
     SELECT g, -1000000000000 - g, t.kind, t.amount, t.percent, t.hours, t.factor,
            {now} - interval '30 days'
       FROM generate_series(1, {channels}) g
      CROSS JOIN generate_series(0, {rules_per_channel} - 1) j
       JOIN (VALUES (0, 'subscriber_drop', NULL, 5, 24, NULL),
                    (1, 'subscriber_surge', 100, NULL, 24, NULL),
                    (2, 'milestone', 10000, NULL, NULL, NULL),
                    (3, 'post_views', 3000, NULL, 24, NULL),
                    (4, 'post_underperforms', NULL, 50, 24, NULL),
                    (5, 'reaction_spike', NULL, NULL, NULL, 3),
                    (6, 'unsubscribe_spike', NULL, NULL, NULL, 3),
                    (7, 'posting_gap', NULL, NULL, 48, NULL))
            AS t(i, kind, amount, percent, hours, factor)
         ON t.i = (g * {rules_per_channel} + j) % 8;
-- Every 6 hours for a week; 30 joins or leaves a week; a post a day for 15 days.
INSERT INTO subscriber_snapshots
     SELECT -1000000000000 - g, {now} - make_interval(hours => 6 * k), 5000 + g % 7000 - 2 * k
       FROM generate_series(1, {channels}) g, generate_series(0, 27) k;
INSERT INTO subscriber_events (channel_id, occurred_at, kind)
     SELECT -1000000000000 - g, {now} - random() * interval '7 days',
            CASE WHEN random() < 0.55 THEN 'join' ELSE 'leave' END
       FROM generate_series(1, {channels}) g, generate_series(1, 30);
INSERT INTO posts (channel_id, message_id, posted_at)
     SELECT -1000000000000 - g, k + 1, {now} - k * interval '1 day' - random() * interval '12 hours'
       FROM generate_series(1, {channels}) g, generate_series(0, 14) k;
INSERT INTO post_views
     SELECT p.channel_id, p.message_id, p.posted_at + o.age, (1000 + random() * 3000 * o.share)::int
       FROM posts p, (VALUES (interval '1 hour', 0.3), (interval '24 hours 5 minutes', 0.8),
                             (interval '48 hours', 1.0)) AS o(age, share)
      WHERE p.posted_at + o.age <= {now};
INSERT INTO post_reaction_counts
     SELECT p.channel_id, p.message_id, p.posted_at + o.age, (o.total * (1 + random()))::int, '{{}}'
       FROM posts p, (VALUES (interval '30 minutes', 10), (interval '1 day', 30)) AS o(age, total)
      WHERE p.posted_at + o.age <= {now};
"""

# The least any evaluation must do: read each table the rules read, over the same windows.
_BARE_READ = """
SELECT (SELECT count(*) FROM alert_rules r
          JOIN channels c ON c.id = r.channel_id AND c.is_tracked
          JOIN channel_admins a ON a.channel_id = r.channel_id AND a.user_id = r.owner_id
         WHERE NOT r.paused),
       (SELECT count(*) FROM subscriber_events
         WHERE occurred_at > $1::timestamptz - interval '169 hours'),
       (SELECT count(*) FROM (SELECT DISTINCT ON (channel_id) subscribers
                                FROM subscriber_snapshots ORDER BY channel_id, taken_at DESC) s),
       (SELECT count(*) FROM posts WHERE posted_at > $1::timestamptz - interval '30 days'),
       (SELECT max(views) FROM post_views WHERE observed_at > $1::timestamptz - interval '30 days'),
       (SELECT max(total) FROM post_reaction_counts
         WHERE observed_at > $1::timestamptz - interval '30 days')
"""


async def median_seconds(
    run: Callable[[], Awaitable[object]], reset: Callable[[], Awaitable[object]]
) -> float:
    """The median wall time of RUNS calls after one warm-up, with `reset` (untimed) before each."""
    times = []
    for attempt in range(RUNS + 1):
        await reset()
        start = time.perf_counter()
        await run()
        if attempt:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


async def bench_evaluation(pool: asyncpg.Pool) -> None:
    started = time.perf_counter()
    async with pool.acquire() as conn:
        await conn.execute(
            _POPULATE.format(
                channels=CHANNELS,
                rules_per_channel=RULES_PER_CHANNEL,
                now=f"'{NOW.isoformat()}'::timestamptz",
            )
        )
        await conn.execute("ANALYZE")
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM alert_rules) AS rules, "
            "(SELECT count(*) FROM subscriber_events) AS events, "
            "(SELECT count(*) FROM post_views) AS views"
        )
    print(
        f"\nevaluation: {CHANNELS:,} channels, {counts['rules']:,} rules of all 8 kinds, "
        f"{counts['events']:,} joins/leaves, {counts['views']:,} view observations "
        f"(written in {time.perf_counter() - started:.0f} s); median of {RUNS} runs"
    )
    evaluation = AlertEvaluationRepository(pool)
    fired = 0

    async def evaluate() -> None:
        nonlocal fired
        fired = await evaluation.evaluate(now=NOW, kinds=list(AlertKind), channel_ids=None)

    async def forget_firings() -> None:
        await pool.execute("DELETE FROM alert_firings; UPDATE alert_rules SET last_fired_at = NULL")

    async def nothing() -> None:
        return None

    bare = await median_seconds(lambda: pool.fetchrow(_BARE_READ, NOW), nothing)
    full = await median_seconds(evaluate, forget_firings)
    print(f"{'bare read of the same tables':34} {bare * 1000:8.0f} ms   1.00x")
    print(
        f"{'evaluation pass, all rules':34} {full * 1000:8.0f} ms   {full / bare:.2f}x"
        f"   ({fired:,} firings)"
    )


def alert_for(chat_id: int) -> AlertMessage:
    rule = AlertRuleRecord(
        id=1,
        owner_id=chat_id,
        channel_id=-1001000000001,
        channel_title="Bench",
        channel_username="bench",
        kind=AlertKind.POSTING_GAP,
        thresholds=AlertThresholds(hours=48),
        cooldown=timedelta(hours=1),
        paused=False,
        muted_until=None,
        created_at=NOW,
        last_fired_at=None,
    )
    return AlertMessage(rule=rule, details={"hours": 48, "last_post_at": None}, fired_at=NOW)


async def send_all(
    queue: OutgoingQueue, sender: AiogramAlertSender, tg: FakeTelegram, chats: list[int]
) -> tuple[float, int]:
    """Send one alert per entry of `chats` through the queue: (seconds, 429s from the fake)."""
    refusals = tg.flood_refusals
    start = time.perf_counter()
    await asyncio.gather(
        *(queue.send(chat, lambda chat=chat: sender.send_alert(alert_for(chat))) for chat in chats)
    )
    return time.perf_counter() - start, tg.flood_refusals - refusals


async def bench_queue() -> None:
    limits = FloodLimits()
    async with FakeTelegram() as tg:
        tg.self_check = False  # the bench measures the queue, not the fake's own checks
        chats = [tg.user(f"User {n}", started=True).id for n in range(300)]
        print(
            f"outgoing queue: alerts to {len(chats)} chats, the fake Telegram refusing more "
            f"than {limits.overall} sends in {limits.window} s, or {limits.per_chat} to a chat"
        )
        bot = Bot(
            BOT_TOKEN,
            session=create_session(tg.base_url, SystemClock()),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        catalogs = Catalogs()
        sender = AiogramAlertSender(bot, catalogs)
        t = catalogs.translator("en")
        queue = OutgoingQueue(SystemClock(), overall_per_second=30, per_chat_per_second=1)
        tg.flood_limits = limits
        try:
            start = time.perf_counter()
            results = await asyncio.gather(
                *(bot.send_message(chat, alert_message(t, alert_for(chat))) for chat in chats),
                return_exceptions=True,
            )
            unpaced = time.perf_counter() - start
            delivered = sum(not isinstance(result, BaseException) for result in results)
            unpaced_rate = delivered / unpaced
            print(
                f"{'all at once (session waits 429s)':34} {delivered:4}/{len(chats)} in "
                f"{unpaced:5.1f} s {unpaced_rate:6.1f} msg/s   1.00x   429s: {tg.flood_refusals}"
            )
            await asyncio.sleep(2 * limits.window)  # let those sends leave the fake's window

            paced, refused = await send_all(queue, sender, tg, chats)
            rate = len(chats) / paced
            print(
                f"{'outgoing queue':34} {len(chats):4}/{len(chats)} in {paced:5.1f} s "
                f"{rate:6.1f} msg/s   {rate / unpaced_rate:.2f}x   429s: {refused}"
            )
            print(f"sustained rate against Telegram's 30 msg/s: {rate / 30:.2f}x")

            few = chats[:10] * 5
            seconds, refused = await send_all(queue, sender, tg, few)
            print(
                f"per-chat limit: 5 alerts to each of 10 chats in {seconds:.1f} s "
                f"(at least 4 s at 1/s), 429s: {refused}"
            )
        finally:
            await queue.close()
            await bot.session.close()


async def bench_evaluation_on_a_server() -> None:
    """On DATABASE_URL's server, or an embedded one in a temporary folder."""
    async with bench_pool("analyticbot_bench", max_size=4) as pool:
        await bench_evaluation(pool)


async def main() -> int:
    logging.basicConfig(level=logging.ERROR)  # the unpaced run's hundreds of 429 warnings
    # The queue first: a database still busy with the evaluation's rows (autovacuum) would
    # take CPU from the fake Telegram, which shares this process with the queue it measures.
    await bench_queue()
    await bench_evaluation_on_a_server()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
