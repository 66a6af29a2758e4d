"""The API's report and daily series: the same numbers /stats shows, on the owner's days.

The channel's history is the sample of channel_history.write_sample_history, seen at SAMPLE_NOW
by an owner in Moscow.
"""

import pytest
from channel_history import SAMPLE_NOW
from helpers import ManualClock
from stories import api_key, owner_with_sample_history
from test_api import assert_problem, call


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


async def test_the_report_has_the_numbers_of_stats(app, tg, db, http) -> None:
    alice = await owner_with_sample_history(tg, db)
    key = await api_key(tg, alice)
    _, _, channels = await call(http, app, "GET", "/channels", key)
    channel_id = channels["items"][0]["id"]

    status, _, report = await call(
        http, app, "GET", f"/channels/{channel_id}/report?period=7d", key
    )

    assert status == 200
    assert report["time_zone"] == "Europe/Moscow"
    assert report["period"] == {"first_day": "2026-10-25", "last_day": "2026-10-31", "days": 7}
    current = report["current"]
    # As /stats 7d says (tests/bot/test_stats.py): 1,100 (+100), joined 3, left 1, 5 posts,
    # reach 750, ERR 68.2%, engagement 2.00%, median at 24 h 800.
    assert (current["subscribers"], current["subscriber_change"]) == (1100, 100)
    assert (current["joins"], current["leaves"], current["net_growth"]) == (3, 1, 2)
    assert (current["posts"], current["average_reach"]) == (5, 750)
    assert round(current["err"], 1) == 68.2
    assert round(current["engagement_rate"], 2) == 2.00
    assert current["median_views_24h"] == 800
    top = report["top_by_views"][0]
    assert (top["message_id"], top["views"], top["views_24h"]) == (3, 1500, 1200)
    assert top["url"] == "https://t.me/testchannel/3"
    assert top["posted_at"].endswith("+03:00")  # the owner's clock
    assert report["best_weekdays"][0]["weekday"] == 4  # Friday
    assert report["days"][0]["day"] == "2026-10-25" and len(report["days"]) == 7


async def test_the_same_period_by_dates(app, tg, db, http) -> None:
    alice = await owner_with_sample_history(tg, db)
    key = await api_key(tg, alice)
    channel_id = (await call(http, app, "GET", "/channels", key))[2]["items"][0]["id"]

    _, _, by_days = await call(http, app, "GET", f"/channels/{channel_id}/report?period=7d", key)
    _, _, by_dates = await call(
        http, app, "GET", f"/channels/{channel_id}/report?from=2026-10-25&to=2026-10-31", key
    )

    assert by_dates["current"] == by_days["current"]


async def test_subscribers_and_joins_per_day(app, tg, db, http) -> None:
    alice = await owner_with_sample_history(tg, db)
    key = await api_key(tg, alice)
    channel_id = (await call(http, app, "GET", "/channels", key))[2]["items"][0]["id"]
    days = "from=2026-10-25&to=2026-10-31"

    _, _, subscribers = await call(
        http, app, "GET", f"/channels/{channel_id}/subscribers?{days}", key
    )
    _, _, joins = await call(http, app, "GET", f"/channels/{channel_id}/joins?{days}", key)

    assert [item["day"] for item in subscribers["items"]][::6] == ["2026-10-25", "2026-10-31"]
    assert subscribers["items"][-1]["subscribers"] == 1100
    assert subscribers["time_zone"] == joins["time_zone"] == "Europe/Moscow"
    assert sum(item["joins"] for item in joins["items"]) == 3
    assert sum(item["leaves"] for item in joins["items"]) == 1


async def test_history_beyond_the_plan_is_refused(app, tg, db, http) -> None:
    alice = await owner_with_sample_history(tg, db)
    key = await api_key(tg, alice)
    channel_id = (await call(http, app, "GET", "/channels", key))[2]["items"][0]["id"]

    status, headers, body = await call(
        http, app, "GET", f"/channels/{channel_id}/report?period=90d", key
    )

    assert_problem(status, headers, body, 403)
    assert "Free plan allows 30 history days" in body["detail"]
