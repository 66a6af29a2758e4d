"""Every input bounded: forged buttons and odd command arguments, tried as a hostile user.

Each gets a short answer (the stale-button alert, or a reply naming what is wrong), never the
apology for an error, never an ERROR in the log, and nothing reaches PostgreSQL that could run
away there. "Now" is 30 November 2026, noon UTC; users are in UTC.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from fake_telegram import FakeTelegram, FakeUser
from helpers import ManualClock
from stories import on_plan, owner_with_channel, tracked_channel

from bot.i18n_texts import admin as admin_texts
from bot.i18n_texts import common as common_texts
from bot.i18n_texts import fallback as fallback_texts
from services.i18n import ENGLISH

ADMIN_ID = 1001  # the first user a test creates
HUGE = "99999999999999999999"  # over int64: asyncpg cannot send it
FOUR_HUNDRED_NINES = "9" * 400  # as a float: infinity

pytestmark = pytest.mark.settings(admin_ids=frozenset({ADMIN_ID}))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))


async def no_setup(tg: FakeTelegram, user: FakeUser) -> None:
    """The forged button is pressed under the last message the bot sent."""


async def in_the_kind_step(tg: FakeTelegram, user: FakeUser) -> None:
    await tg.send_text(user, "/alerts")
    await tg.press_button(user, tg.last_to(user, "sendMessage"), "Add alert")


async def in_the_channel_step(tg: FakeTelegram, user: FakeUser) -> None:
    await in_the_kind_step(tg, user)
    await tg.press_button(user, tg.last_to(user, "sendMessage"), "Subscriber drop")


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def forged(data: str, setup: Callable[[FakeTelegram, FakeUser], Awaitable[None]] = no_setup):
    return pytest.param(data, setup, id=data.replace("{channel}", "own")[:48])


@pytest.mark.parametrize(
    ("data", "setup"),
    [
        # Ranges: in the future (past the plan's history check), reversed, not dates.
        forged("sr:e:{channel}:2026-12-01:2099-12-31"),
        forged("sr:c:{channel}:2026-11-25:2030-12-31"),
        forged("sr:c:{channel}:2026-11-20:2026-11-01"),
        forged("sr:c:{channel}:notadate:2026-11-01"),
        forged("sr:c:{channel}:0001-01-01:0001-01-31"),
        forged("st:p:{channel}:99999999"),
        # Ids over int64.
        forged(f"ch:st:{HUGE}"),
        forged(f"ch:rm:{HUGE}"),
        forged(f"ch:sh:{HUGE}"),
        forged(f"rm:del:{HUGE}"),
        forged(f"st:p:{HUGE}:30"),
        forged(f"st:c:{HUGE}:30"),
        forged(f"st:e:{HUGE}:30"),
        forged(f"sr:c:{HUGE}:2026-11-01:2026-11-07"),
        forged(f"al:p:{HUGE}"),
        forged(f"al:r:{HUGE}"),
        forged(f"al:d:{HUGE}"),
        forged(f"al:t:{HUGE}"),
        forged(f"al:m:{HUGE}"),
        forged(f"sh:p:{HUGE}:7:0"),
        forged(f"sl:rv:{HUGE}"),
        forged(f"wm:ch:{HUGE}"),
        forged(f"aw:c:{HUGE}", in_the_channel_step),
        # Values that are not what the button carries.
        forged("wm:ch:abc"),
        forged("aw:k:bogus", in_the_kind_step),
        forged("aw:c:abc", in_the_channel_step),
        forged(f"wm:use:{HUGE}"),
        # Answered by billing and watermark themselves before; now, like the rest, by the
        # fallback: a plan that is not for sale, a preset not hers, a panel with no mark.
        forged("buy:free:stars"),
        forged("wm:use:12345"),
        forged("wm:size:+"),
    ],
)
async def test_a_forged_button_is_answered_as_out_of_date(
    app, tg: FakeTelegram, caplog, data: str, setup
) -> None:
    alice, channel = await owner_with_channel(tg)
    await tracked_channel(tg, alice, "Baking Daily", "bakingdaily")
    await setup(tg, alice)
    under = tg.last_to(alice, "sendMessage")
    sent_before = len(tg.sent("sendMessage", chat_id=alice))

    query_id = await tg.press(alice, under, data.format(channel=channel.id), strict=False)

    assert tg.callback_answer(query_id)["text"] == ENGLISH(fallback_texts.STALE_BUTTON)
    assert len(tg.sent("sendMessage", chat_id=alice)) == sent_before
    assert tg.sent("sendMediaGroup") == [] and tg.sent("sendInvoice") == []
    assert no_errors_logged(caplog) == []


async def test_a_forged_endless_range_is_answered_at_once_and_runs_no_query(
    app, tg: FakeTelegram, db, caplog
) -> None:
    alice, channel = await owner_with_channel(tg)
    temp_files = "SELECT temp_files FROM pg_stat_database WHERE datname = current_database()"
    temp_files_before = await db.fetchval(temp_files)
    started = asyncio.get_running_loop().time()

    query_id = await tg.press(
        alice,
        tg.last_to(alice, "sendMessage"),
        f"sr:c:{channel.id}:9999-12-31:9999-12-31",
        strict=False,
    )

    assert asyncio.get_running_loop().time() - started < 1
    assert tg.callback_answer(query_id)["text"] == ENGLISH(fallback_texts.STALE_BUTTON)
    others_running = await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'active' AND pid <> pg_backend_pid()"
    )
    assert others_running == 0
    assert await db.fetchval(temp_files) == temp_files_before
    assert no_errors_logged(caplog) == []


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        pytest.param(
            "/stats 0001-01-01 0001-01-31",
            "The range starts before Telegram existed (0001-01-01)",
            id="stats-year-one",
        ),
        pytest.param(
            "/export 0001-01-01 0001-01-31",
            "The range starts before Telegram existed (0001-01-01)",
            id="export-year-one",
        ),
        pytest.param("/stats 9999d", "The range starts before Telegram existed", id="9999d"),
        pytest.param(
            f"/stats -{HUGE}", ENGLISH(common_texts.INVALID_CHANNEL_REF), id="channel-id-over-int64"
        ),
        pytest.param(
            f"/export -{HUGE} 7d", ENGLISH(common_texts.INVALID_CHANNEL_REF), id="export-over-int64"
        ),
    ],
)
async def test_a_business_user_asking_for_what_no_one_has_is_told_why(
    app, tg: FakeTelegram, db, caplog, command: str, answer: str
) -> None:
    alice, _ = await owner_with_channel(tg)
    await on_plan(app, alice, "business")

    await tg.send_text(alice, command)

    assert answer in tg.texts_to(alice)[-1]
    assert tg.sent("sendMediaGroup") == []
    assert no_errors_logged(caplog) == []


GRANT_USAGE = ENGLISH(admin_texts.GRANT_USAGE)  # admins here speak English
REFUND_USAGE = ENGLISH(admin_texts.REFUND_USAGE)


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        pytest.param("/grant 7103 pro ²", GRANT_USAGE, id="grant-superscript-days"),
        pytest.param(f"/grant {HUGE} pro 30", GRANT_USAGE, id="grant-huge-user"),
        pytest.param("/refund stx\x00charge", REFUND_USAGE, id="refund-nul"),
        pytest.param(f"/refund {'x' * 300}", REFUND_USAGE, id="refund-too-long"),
    ],
)
async def test_admin_commands_with_odd_arguments_get_their_usage(
    app, tg: FakeTelegram, caplog, command: str, answer: str
) -> None:
    admin = tg.user("Admin")
    await tg.send_text(admin, "/start")

    await tg.send_text(admin, command)

    assert tg.texts_to(admin)[-1] == answer
    assert no_errors_logged(caplog) == []


@pytest.mark.parametrize(
    "threshold",
    [
        pytest.param(FOUR_HUNDRED_NINES, id="400-nines"),
        pytest.param("9" * 5000, id="5000-nines"),
    ],
)
async def test_a_milestone_threshold_beyond_any_number_is_asked_again(
    app, tg: FakeTelegram, caplog, threshold: str
) -> None:
    alice, _ = await owner_with_channel(tg)
    await in_the_kind_step(tg, alice)
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Milestone")

    await tg.send_text(alice, threshold)

    assert "That doesn't work here" in tg.texts_to(alice)[-1]
    assert no_errors_logged(caplog) == []
