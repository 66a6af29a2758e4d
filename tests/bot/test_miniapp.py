"""The dashboard Mini App over HTTP: signing in with initData, what a session sees and changes,
the menu button and the Open dashboard button.

The channel's history is the sample of channel_history.write_sample_history, seen at SAMPLE_NOW
by an owner in Moscow.
"""

from datetime import timedelta

import pytest
from channel_history import SAMPLE_NOW
from helpers import ManualClock
from stories import dashboard_token, owner_with_channel, owner_with_sample_history, started

from services.domain.alerts import AlertKind, AlertThresholds

OTHER_BOT_TOKEN = "987654321:AAAnotherBotsTokenEntirely_xyz"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


async def call(http, app, method: str, path: str, token: str | None = None, **kw):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.request(method, app.app.web_url + path, headers=headers, **kw) as response:
        body = await response.json() if response.status != 204 else None
        return response.status, response.content_type, body


async def test_signed_in_owner_sees_their_channel_and_its_report(app, tg, db, http) -> None:
    alice = await owner_with_sample_history(tg, db)
    token = await dashboard_token(app, tg, http, alice)
    assert token.startswith("abs_")

    status, _, channels = await call(http, app, "GET", "/api/v1/channels", token)
    assert status == 200
    assert [(c["title"], c["subscribers"], c["time_zone"]) for c in channels["items"]] == [
        ("Test Channel", 1100, "Europe/Moscow")
    ]
    channel_id = channels["items"][0]["id"]

    status, _, week = await call(
        http, app, "GET", f"/api/v1/channels/{channel_id}/report?period=7d", token
    )
    assert status == 200
    # The numbers /stats 7d shows (tests/bot/test_stats.py).
    assert week["period"] == {"first_day": "2026-10-25", "last_day": "2026-10-31", "days": 7}
    assert week["current"]["subscribers"] == 1100 and week["current"]["subscriber_change"] == 100
    assert week["current"]["posts"] == 5 and week["current"]["average_reach"] == 750
    assert week["previous"]["posts"] == 1
    assert week["best_weekdays"][0]["weekday"] == 4 and week["best_hours"][0]["hour"] == 18
    assert week["top_by_views"][0]["url"] == "https://t.me/testchannel/3"
    assert week["top_by_views"][0]["posted_at"] == "2026-10-30T18:00:00+03:00"
    assert len(week["days"]) == 7

    status, _, posts = await call(
        http,
        app,
        "GET",
        f"/api/v1/channels/{channel_id}/posts?from=2026-10-25&to=2026-10-31",
        token,
    )
    assert status == 200
    assert [(p["message_id"], p["views"]) for p in posts["items"]] == [
        (1, 900),
        (2, 500),
        (5, None),
        (3, 1500),
        (4, 100),
    ]

    status, _, month = await call(
        http, app, "GET", f"/api/v1/channels/{channel_id}/report?period=30d", token
    )
    assert month["current"]["posts"] == 6 and len(month["days"]) == 30


async def test_a_user_sees_only_channels_they_administer(app, tg, db, http) -> None:
    _, alices = await owner_with_channel(tg, "Alice", "Cooking Daily", "cookingdaily")
    bob, bobs = await owner_with_channel(tg, "Bob", "Bob's Garage", "bobsgarage")
    token = await dashboard_token(app, tg, http, bob)

    _, _, channels = await call(http, app, "GET", "/api/v1/channels", token)
    assert [c["id"] for c in channels["items"]] == [bobs.id]
    for path in (
        f"/api/v1/channels/{alices.id}/report?period=7d",
        f"/api/v1/channels/{alices.id}/alerts",
        f"/api/v1/channels/{alices.id}/shares",
    ):
        status, content_type, body = await call(http, app, "GET", path, token)
        assert (status, content_type) == (404, "application/problem+json"), path
        assert body["status"] == 404
    status, _, _ = await call(
        http, app, "POST", f"/api/v1/channels/{alices.id}/shares", token, json={"days": 7}
    )
    assert status == 404


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda tg, user, now: tg.init_data(user, auth_date=now, hash_override="ab" * 32),
            id="wrong hash",
        ),
        pytest.param(
            lambda tg, user, now: tg.init_data(user, auth_date=now, bot_token=OTHER_BOT_TOKEN),
            id="other bot",
        ),
        pytest.param(
            lambda tg, user, now: tg.init_data(user, auth_date=now - timedelta(days=1, minutes=1)),
            id="stale",
        ),
        pytest.param(lambda tg, user, now: "user=%7B%7D&hash=00", id="garbage"),
    ],
)
async def test_forged_init_data_gets_401(app, tg, db, http, clock, forge) -> None:
    mallory, _ = await owner_with_channel(tg, "Mallory")
    status, content_type, body = await call(
        http, app, "POST", "/api/v1/session", json={"init_data": forge(tg, mallory, clock.now())}
    )
    assert (status, content_type) == (401, "application/problem+json")
    assert body["title"] == "Unauthorized" and "signed by Telegram" in body["detail"]


@pytest.mark.settings(webapp_auth_max_age_seconds=3600)
async def test_the_allowed_age_of_init_data_is_a_setting(app, tg, db, http, clock) -> None:
    alice, _ = await owner_with_channel(tg)
    old = tg.init_data(alice, auth_date=clock.now() - timedelta(hours=2))
    status, _, _ = await call(http, app, "POST", "/api/v1/session", json={"init_data": old})
    assert status == 401


async def test_a_session_ends_after_an_hour_and_tokens_are_checked(app, tg, db, http, clock):
    alice, _ = await owner_with_channel(tg)
    token = await dashboard_token(app, tg, http, alice)
    stored = await db.fetchval("SELECT token_sha256 FROM app_sessions")
    assert token.encode() not in stored and len(stored) == 32  # only its hash is kept

    for bad in (None, "abs_" + "x" * 43, "ab_somekey", token + "x"):
        status, content_type, _ = await call(http, app, "GET", "/api/v1/channels", bad)
        assert (status, content_type) == (401, "application/problem+json")
    clock.advance(minutes=59)
    assert (await call(http, app, "GET", "/api/v1/channels", token))[0] == 200
    clock.advance(minutes=2)
    assert (await call(http, app, "GET", "/api/v1/channels", token))[0] == 401


async def test_bad_bodies_and_periods_get_422(app, tg, db, http) -> None:
    alice, channel = await owner_with_channel(tg)
    token = await dashboard_token(app, tg, http, alice)
    for method, path, body in (
        ("GET", f"/api/v1/channels/{channel.id}/report?period=12d", None),
        ("POST", f"/api/v1/channels/{channel.id}/shares", {"days": 8}),
        ("POST", f"/api/v1/channels/{channel.id}/shares", {"days": 7, "lifetime_hours": 5}),
        ("POST", "/api/v1/session", {"initData": "x"}),
    ):
        status, content_type, _ = await call(http, app, method, path, token, json=body)
        assert (status, content_type) == (422, "application/problem+json"), path
    status, _, _ = await call(http, app, "POST", "/api/v1/session", data=b"{not json")
    assert status == 422


async def test_alerts_pause_and_resume_from_the_app(app, tg, db, http) -> None:
    alice, channel = await owner_with_channel(tg)
    rule = await app.services.alerts.create_rule(
        user_id=alice.id,
        channel_id=channel.id,
        kind=AlertKind.POST_VIEWS,
        thresholds=AlertThresholds(amount=1000, hours=24),
    )
    token = await dashboard_token(app, tg, http, alice)

    _, _, alerts = await call(http, app, "GET", f"/api/v1/channels/{channel.id}/alerts", token)
    assert [(a["id"], a["paused"]) for a in alerts["items"]] == [(rule.id, False)]
    assert alerts["items"][0]["thresholds"]["amount"] == 1000

    status, _, paused = await call(
        http, app, "PATCH", f"/api/v1/alerts/{rule.id}", token, json={"paused": True}
    )
    assert status == 200 and paused["paused"] is True
    assert (await app.services.alerts.get_rule(user_id=alice.id, rule_id=rule.id)).paused
    _, _, resumed = await call(
        http, app, "PATCH", f"/api/v1/alerts/{rule.id}", token, json={"paused": False}
    )
    assert resumed["paused"] is False

    bob, _ = await owner_with_channel(tg, "Bob", "Bob's Garage", "bobsgarage")
    bobs_token = await dashboard_token(app, tg, http, bob)
    status, _, _ = await call(
        http, app, "PATCH", f"/api/v1/alerts/{rule.id}", bobs_token, json={"paused": True}
    )
    assert status == 404


async def test_share_links_are_created_listed_and_revoked(app, tg, db, http) -> None:
    alice, channel = await owner_with_channel(tg)
    token = await dashboard_token(app, tg, http, alice)
    shares = f"/api/v1/channels/{channel.id}/shares"

    status, _, created = await call(
        http, app, "POST", shares, token, json={"days": 30, "lifetime_hours": 24}
    )
    assert status == 201 and created["days"] == 30
    async with http.get(created["url"].replace("http://127.0.0.1", app.app.web_url)) as page:
        assert page.status == 200
    _, _, listed = await call(http, app, "GET", shares, token)
    assert [(link["id"], link["open_count"]) for link in listed["items"]] == [(created["id"], 1)]
    assert "url" not in listed["items"][0]  # the token is shown once, at creation

    status, _, _ = await call(http, app, "DELETE", f"/api/v1/shares/{created['id']}", token)
    assert status == 204
    _, _, listed = await call(http, app, "GET", shares, token)
    assert listed["items"] == []
    async with http.get(created["url"].replace("http://127.0.0.1", app.app.web_url)) as page:
        assert page.status == 404
    status, _, _ = await call(http, app, "DELETE", f"/api/v1/shares/{created['id']}", token)
    assert status == 404


async def test_a_period_past_the_plan_is_refused_as_a_plan_limit(app, tg, db, http) -> None:
    alice, channel = await owner_with_channel(tg)
    token = await dashboard_token(app, tg, http, alice)
    status, _, body = await call(
        http, app, "GET", f"/api/v1/channels/{channel.id}/report?period=90d", token
    )
    assert status == 403 and body["type"].endswith("/plan-limit") and "30" in body["detail"]


@pytest.mark.settings(public_base_url="https://analytics.example.com")
async def test_with_an_https_address_the_menu_button_and_stats_open_the_dashboard(
    app, tg, db
) -> None:
    assert tg.menu_buttons[None] == {
        "type": "web_app",
        "text": "Dashboard",
        "web_app": {"url": "https://analytics.example.com/app"},
    }
    alice = await owner_with_sample_history(tg, db)
    await tg.send_text(alice, "/stats 7d")
    button = tg.last_to(alice, "sendMessage").button("Open dashboard")
    channel_id = next(iter(tg.channels))
    assert button["web_app"] == {"url": f"https://analytics.example.com/app?channel={channel_id}"}


@pytest.mark.settings(public_base_url="https://analytics.example.com")
async def test_each_user_gets_the_menu_button_in_their_language_on_start_and_in_settings(
    app, tg
) -> None:
    dashboard = {"url": "https://analytics.example.com/app"}
    ivan = await started(tg, "Ivan", language_code="ru")
    assert tg.menu_buttons[ivan.id] == {"type": "web_app", "text": "Дашборд", "web_app": dashboard}
    alice = await started(tg, "Alice")
    assert tg.menu_buttons[alice.id]["text"] == "Dashboard"
    assert tg.menu_buttons[None]["text"] == "Dashboard"  # everyone else's default

    await tg.send_text(alice, "/settings")
    await tg.press_button(alice, tg.last_to(alice, "sendMessage"), "Русский")
    assert tg.menu_buttons[alice.id] == {"type": "web_app", "text": "Дашборд", "web_app": dashboard}
    assert tg.menu_buttons[ivan.id]["text"] == "Дашборд"


async def test_without_https_there_is_no_menu_button_nor_dashboard_button(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)
    assert tg.menu_buttons == {}  # neither the default nor a user's own at /start
    await tg.send_text(alice, "/stats 7d")
    labels = [b["text"] for b in tg.last_to(alice, "sendMessage").buttons()]
    assert not any("dashboard" in label for label in labels)


async def test_the_page_loads_nothing_from_other_hosts_but_telegrams_script(app, tg, http):
    async with http.get(f"{app.app.web_url}/app") as page:
        assert page.status == 200 and page.content_type == "text/html"
        policy = page.headers["Content-Security-Policy"]
        html = await page.text()
    assert f"script-src 'self' {tg.base_url};" in policy  # the stand-in's host, as telegram.org
    assert "connect-src 'self'" in policy and "default-src 'none'" in policy
    assert f'<script src="{tg.web_app_script_url}"></script>' in html
    assert "Мои каналы" in html and "My channels" in html  # every language's texts ride along
    for asset in ("app.js", "app.css"):
        async with http.get(f"{app.app.web_url}/app/{asset}") as response:
            assert response.status == 200


@pytest.mark.settings(api_rate_burst=2, api_rate_per_second=0.01)
async def test_sign_ins_are_rate_limited_per_address(app, tg, db, http, clock) -> None:
    mallory, _ = await owner_with_channel(tg, "Mallory")
    forged = {"init_data": tg.init_data(mallory, auth_date=clock.now(), hash_override="0" * 64)}
    statuses = [(await call(http, app, "POST", "/api/v1/session", json=forged))[0] for _ in "abc"]
    assert statuses == [401, 401, 429]


async def test_a_session_works_on_every_endpoint_of_the_api(app, tg, db, http) -> None:
    alice, channel = await owner_with_channel(tg)
    token = await dashboard_token(app, tg, http, alice)
    for path in ("subscribers", "joins"):
        status, _, body = await call(
            http, app, "GET", f"/api/v1/channels/{channel.id}/{path}", token
        )
        assert status == 200 and body["time_zone"] == "UTC", path
    status, _, rule = await call(
        http,
        app,
        "POST",
        f"/api/v1/channels/{channel.id}/alerts",
        token,
        json={"kind": "milestone", "thresholds": {"amount": 2000}},
    )
    assert status == 201 and rule["kind"] == "milestone"  # a session may write


@pytest.mark.settings(api_rate_burst=2, api_rate_per_second=0.01)
async def test_a_session_past_its_rate_limit_is_not_told_about_a_key(app, tg, db, http) -> None:
    alice, _ = await owner_with_channel(tg)
    token = await dashboard_token(app, tg, http, alice)

    statuses = [(await call(http, app, "GET", "/api/v1/channels", token))[0] for _ in "ab"]
    status, content_type, body = await call(http, app, "GET", "/api/v1/channels", token)

    assert statuses == [200, 200]
    assert (status, content_type) == (429, "application/problem+json")
    assert "key" not in body["detail"] and "session" in body["detail"]
