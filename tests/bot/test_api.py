"""The REST API over HTTP, as a program calls it with a key made in /api: what a key sees, every
refusal (401, 403, 404, 422, 429) as application/problem+json, and the numbers it serves."""

import base64
from datetime import timedelta

import aiohttp
import pytest
from stories import api_key, channel_with_history, owner_with_channel, owner_with_planted_history

API = "/api/v1"


async def call(
    http: aiohttp.ClientSession,
    app,
    method: str,
    path: str,
    key: str | None,
    *,
    json: object = None,
    authorization: str | None = None,
) -> tuple[int, aiohttp.typedefs.LooseHeaders, object]:
    """Call the API with the key (or a raw Authorization header); the status, headers and
    the JSON body (None for an empty one)."""
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization
    elif key is not None:
        headers["Authorization"] = f"Bearer {key}"
    async with http.request(
        method, app.app.web_url + API + path, headers=headers, json=json
    ) as response:
        body = await response.read()
        data = await response.json(content_type=None) if body else None
        return response.status, response.headers, data


def assert_problem(status: int, headers, body, expected: int) -> None:
    assert status == expected, body
    assert headers["Content-Type"].startswith("application/problem+json")
    assert body["status"] == expected and body["title"] and body["detail"] and body["type"]


async def test_a_key_sees_only_its_owners_channels(app, tg, http) -> None:
    alice, cooking = await owner_with_channel(tg, "Alice", "Cooking Daily", "cookingdaily")
    _, bikes = await owner_with_channel(tg, "Bob", "Bikes", "bikesdaily")
    key = await api_key(tg, alice)

    status, _, body = await call(http, app, "GET", "/channels", key)

    assert status == 200
    assert [channel["id"] for channel in body["items"]] == [cooking.id]
    assert body["items"][0]["title"] == "Cooking Daily"
    assert body["items"][0]["subscribers"] == 1500
    assert body["items"][0]["time_zone"] == "UTC"
    for path in ("report", "posts", "subscribers", "joins", "alerts"):
        assert_problem(*await call(http, app, "GET", f"/channels/{bikes.id}/{path}", key), 404)
    status, _, _ = await call(http, app, "GET", f"/channels/{cooking.id}/report", key)
    assert status == 200


async def test_an_admin_who_lost_the_rights_no_longer_sees_the_channel(
    app, tg, http, clock, settings
) -> None:
    _, channel = await owner_with_channel(tg)
    bob = tg.user("Bob")
    await tg.send_text(bob, "/start")
    tg.set_admin(channel, bob, True)
    await app.services.channels.recheck_admins(channel_id=channel.id)  # the hourly re-check
    key = await api_key(tg, bob)
    status, _, body = await call(http, app, "GET", "/channels", key)
    assert [c["id"] for c in body["items"]] == [channel.id]

    tg.set_admin(channel, bob, False)  # Telegram knows; the bot has not asked since
    clock.advance(seconds=settings.admin_verify_ttl_seconds + 1)

    status, _, body = await call(http, app, "GET", "/channels", key)
    assert (status, body["items"]) == (200, [])
    assert_problem(*await call(http, app, "GET", f"/channels/{channel.id}/report", key), 404)


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("Bearer ab_" + "x" * 43, id="forged"),
        pytest.param("Bearer abc", id="malformed"),
        pytest.param("Basic YWxpY2U6c2VjcmV0", id="another-scheme"),
    ],
)
async def test_a_call_without_a_live_key_gets_401(app, tg, http, authorization) -> None:
    await owner_with_channel(tg)

    status, headers, body = await call(
        http, app, "GET", "/channels", None, authorization=authorization
    )

    assert_problem(status, headers, body, 401)
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert "/api" in body["detail"]


async def test_a_revoked_key_gets_401(app, tg, http) -> None:
    alice, _ = await owner_with_channel(tg)
    key = await api_key(tg, alice, "CRM")
    assert (await call(http, app, "GET", "/channels", key))[0] == 200

    listing = await tg.reply_to(alice, "/api")
    assert "<b>CRM</b> · read-only · last used" in listing.text
    await tg.press_button(alice, listing, "Revoke #1")

    assert "no API keys yet" in tg.texts_to(alice)[-1]
    assert_problem(*await call(http, app, "GET", "/channels", key), 401)


async def test_a_read_only_key_cannot_write_and_a_read_write_key_can(app, tg, http) -> None:
    alice, channel = await owner_with_channel(tg)
    reader = await api_key(tg, alice, "Dashboard")
    writer = await api_key(tg, alice, "Zapier", can_write=True)
    rule = {"kind": "subscriber_drop", "thresholds": {"percent": 5, "hours": 24}}
    alerts = f"/channels/{channel.id}/alerts"

    status, headers, body = await call(http, app, "POST", alerts, reader, json=rule)
    assert_problem(status, headers, body, 403)
    assert "read-only" in body["detail"]

    status, _, created = await call(http, app, "POST", alerts, writer, json=rule)
    assert status == 201
    assert created["kind"] == "subscriber_drop" and created["paused"] is False
    assert created["thresholds"] == {"amount": None, "percent": 5.0, "hours": 24, "factor": None}
    status, _, listed = await call(http, app, "GET", alerts, reader)
    assert [r["id"] for r in listed["items"]] == [created["id"]]

    path = f"/alerts/{created['id']}"
    assert_problem(*await call(http, app, "PATCH", path, reader, json={"paused": True}), 403)
    status, _, paused = await call(http, app, "PATCH", path, writer, json={"paused": True})
    assert (status, paused["paused"]) == (200, True)
    assert (await app.services.alerts.get_rule(user_id=alice.id, rule_id=created["id"])).paused

    assert_problem(*await call(http, app, "DELETE", path, reader), 403)
    assert (await call(http, app, "DELETE", path, writer))[:1] == (204,)
    assert_problem(*await call(http, app, "DELETE", path, writer), 404)
    assert (await call(http, app, "GET", alerts, reader))[2]["items"] == []


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        pytest.param({"kind": "reaction_spike", "thresholds": {"factor": 1.2}}, "factor", id="low"),
        pytest.param({"kind": "posting_gap", "thresholds": {}}, "hours", id="missing"),
        pytest.param(
            {"kind": "milestone", "thresholds": {"amount": 5000, "hours": 3}},
            "no hours",
            id="unused",
        ),
        pytest.param({"kind": "nonsense", "thresholds": {}}, "body", id="kind"),
    ],
)
async def test_a_rule_the_wizard_would_refuse_gets_422(app, tg, http, rule, says) -> None:
    alice, channel = await owner_with_channel(tg)
    writer = await api_key(tg, alice, can_write=True)

    status, headers, body = await call(
        http, app, "POST", f"/channels/{channel.id}/alerts", writer, json=rule
    )

    assert_problem(status, headers, body, 422)
    assert says in body["detail"] or says in str(body.get("errors"))
    assert await app.services.alerts.list_rules(user_id=alice.id) == []


async def test_copy_rules_are_made_by_watch_not_by_the_api(app, tg, http) -> None:
    alice, channel = await owner_with_channel(tg)
    writer = await api_key(tg, alice, can_write=True)

    status, headers, body = await call(
        http,
        app,
        "POST",
        f"/channels/{channel.id}/alerts",
        writer,
        json={"kind": "copy", "thresholds": {}},
    )
    async with http.get(f"{app.app.web_url}{API}/openapi.json") as response:
        document = await response.json()

    assert_problem(status, headers, body, 422)
    assert await app.services.alerts.list_rules(user_id=alice.id) == []
    offered = document["components"]["schemas"]["NewAlertRule"]["properties"]["kind"]["enum"]
    assert "copy" not in offered and {"milestone", "posting_gap", "source_burst"} <= set(offered)


async def test_the_plan_limits_alert_rules_through_the_api_too(app, tg, http) -> None:
    alice, channel = await owner_with_channel(tg)
    writer = await api_key(tg, alice, can_write=True)
    rule = {"kind": "posting_gap", "thresholds": {"hours": 48}}
    for _ in range(3):  # the Free plan's rules
        assert (await call(http, app, "POST", f"/channels/{channel.id}/alerts", writer, json=rule))[
            0
        ] == 201

    status, headers, body = await call(
        http, app, "POST", f"/channels/{channel.id}/alerts", writer, json=rule
    )

    assert_problem(status, headers, body, 403)
    assert "Free plan allows 3 alert rules" in body["detail"]


@pytest.mark.settings(api_rate_burst=3, api_rate_per_second=0.5)
async def test_the_rate_limit_answers_429_with_retry_after(app, tg, http, clock) -> None:
    alice, _ = await owner_with_channel(tg)
    key = await api_key(tg, alice)
    other = await api_key(tg, alice, "Other")

    statuses = [(await call(http, app, "GET", "/channels", key))[0] for _ in range(3)]
    status, headers, body = await call(http, app, "GET", "/channels", key)

    assert statuses == [200, 200, 200]
    assert_problem(status, headers, body, 429)
    assert headers["Retry-After"] == "2"  # one request every 2 s
    assert (await call(http, app, "GET", "/channels", other))[0] == 200  # a bucket per key
    clock.advance(seconds=2)
    assert (await call(http, app, "GET", "/channels", key))[0] == 200
    assert (await call(http, app, "GET", "/channels", key))[0] == 429


@pytest.mark.settings(api_rate_burst=3, api_rate_per_second=0.5)
async def test_guessing_tokens_meets_the_rate_limit_of_the_address(app, tg, http) -> None:
    alice, _ = await owner_with_channel(tg)
    key = await api_key(tg, alice)
    guesses = [f"ab_guess{n}" for n in range(3)] + ["abs_forged-session"]

    statuses = [(await call(http, app, "GET", "/channels", guess))[0] for guess in guesses[:3]]
    status, headers, body = await call(http, app, "GET", "/channels", guesses[3])

    assert statuses == [401, 401, 401]
    assert_problem(status, headers, body, 429)
    assert headers["Retry-After"] == "2"
    assert (await call(http, app, "GET", "/channels", key))[0] == 200  # a real key has its own


async def guess_from(http, app, forwarded_for: str) -> int:
    async with http.get(
        app.app.web_url + API + "/channels",
        headers={"Authorization": "Bearer ab_guess", "X-Forwarded-For": forwarded_for},
    ) as response:
        return response.status


@pytest.mark.settings(api_rate_burst=2, api_rate_per_second=0.01, trusted_proxies="127.0.0.1")
async def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(app, http) -> None:
    # nginx appends the address it saw; what the client wrote before it is not believed.
    first = [await guess_from(http, app, f"10.9.9.{n}, 203.0.113.5") for n in range(3)]
    other = await guess_from(http, app, "203.0.113.6")

    assert first == [401, 401, 429]
    assert other == 401


@pytest.mark.settings(api_rate_burst=2, api_rate_per_second=0.01)
async def test_without_trusted_proxies_x_forwarded_for_is_not_believed(app, http) -> None:
    statuses = [await guess_from(http, app, f"203.0.113.{n}") for n in range(3)]

    assert statuses == [401, 401, 429]


@pytest.mark.settings(api_rate_burst=2, api_rate_per_second=0.1)
async def test_the_rate_limit_is_shared_by_every_process(app, tg, http, another_bot) -> None:
    alice, _ = await owner_with_channel(tg)
    key = await api_key(tg, alice)
    second = await another_bot()
    # The second process serves its own web app on the same database.
    async with second.app._serving(second.app._build_web_app()):
        second_url = second.app.web_url
        assert (await call(http, app, "GET", "/channels", key))[0] == 200
        async with http.get(
            second_url + API + "/channels", headers={"Authorization": f"Bearer {key}"}
        ) as response:
            assert response.status == 200
        assert (await call(http, app, "GET", "/channels", key))[0] == 429


async def test_unknown_paths_and_bad_parameters_are_problems_too(app, tg, http) -> None:
    alice, channel = await owner_with_channel(tg)
    key = await api_key(tg, alice)

    assert_problem(*await call(http, app, "GET", "/nothing-here", key), 404)
    assert_problem(*await call(http, app, "GET", "/channels/not-a-number/report", key), 422)
    for query in ("period=12d", "from=2026-02-30", "from=2099-01-01", "period=7d&from=2026-01-01"):
        status, headers, body = await call(
            http, app, "GET", f"/channels/{channel.id}/report?{query}", key
        )
        assert_problem(status, headers, body, 422)
    status, headers, body = await call(
        http, app, "GET", f"/channels/{channel.id}/posts?cursor=forged", key
    )
    assert_problem(status, headers, body, 422)
    assert "cursor" in body["detail"]


def made_cursor(posted_at: str, message_id: str) -> str:
    return base64.urlsafe_b64encode(f"{posted_at}|{message_id}".encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "posted_at, message_id",
    [
        ("2026-01-01T00:00:00+00:00", str(2**63)),
        ("2026-01-01T00:00:00+00:00", "0"),
        ("2026-01-01T00:00:00+00:00", "-5"),
        ("0001-01-01T00:00:00+05:00", "7"),
        ("9999-12-31T23:59:59-14:00", "7"),
        ("2001-01-01T00:00:00+00:00", "7"),
    ],
)
async def test_a_crafted_cursor_is_a_422_not_a_500(app, tg, http, posted_at, message_id) -> None:
    alice, channel = await owner_with_channel(tg)
    key = await api_key(tg, alice)

    status, headers, body = await call(
        http,
        app,
        "GET",
        f"/channels/{channel.id}/posts?cursor={made_cursor(posted_at, message_id)}",
        key,
    )

    assert_problem(status, headers, body, 422)
    assert "cursor" in body["detail"]


async def test_posts_come_a_page_at_a_time_within_the_days_asked(app, tg, db, clock, http) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    key = await api_key(tg, shared.owner)
    posts = f"/channels/{shared.channel.id}/posts"

    status, _, first = await call(http, app, "GET", f"{posts}?limit=2", key)
    status_next, _, rest = await call(
        http, app, "GET", f"{posts}?limit=2&cursor={first['next_cursor']}", key
    )
    week_ago = (clock.now() - timedelta(days=3)).date()
    _, _, recent = await call(http, app, "GET", f"{posts}?from={week_ago}", key)

    assert (status, status_next) == (200, 200)
    texts = [post["text"] for post in first["items"] + rest["items"]]
    assert texts == [
        "Our readers' best pies",
        "Sourdough, step by step",
        "Pumpkin soup in 20 minutes",
    ]
    assert rest["next_cursor"] is None
    assert first["items"][1]["views"] == 2400 and first["items"][1]["reactions"] == 130
    assert first["items"][1]["url"].startswith("https://t.me/cookingdaily/")
    assert [post["text"] for post in recent["items"]] == texts[1:]
    assert first["time_zone"] == "UTC"


async def test_telegram_down_during_the_admin_check_is_a_503_not_a_pass(
    app, tg, http, clock, settings
) -> None:
    alice, channel = await owner_with_channel(tg)
    key = await api_key(tg, alice)
    clock.advance(seconds=settings.admin_verify_ttl_seconds + 1)  # the check must be asked again
    tg.fail_next("getChatAdministrators", error_code=502, times=100)

    status, headers, body = await call(http, app, "GET", f"/channels/{channel.id}/report", key)

    assert_problem(status, headers, body, 503)
    assert headers["Retry-After"] == "5" and "Telegram" in body["detail"]


async def test_a_wrong_method_names_the_allowed_ones(app, tg, http) -> None:
    alice, _ = await owner_with_channel(tg)
    key = await api_key(tg, alice)

    status, headers, body = await call(http, app, "DELETE", "/channels", key)

    assert_problem(status, headers, body, 405)
    assert "GET" in headers["Allow"]


@pytest.mark.settings(feature_api=False)
async def test_with_the_feature_off_there_is_no_api_and_no_api_command(app, tg, http) -> None:
    alice, _ = await owner_with_channel(tg)

    async with http.get(f"{app.app.web_url}{API}/openapi.json") as response:
        assert response.status == 404
    await tg.send_text(alice, "/api")

    assert "Your API keys" not in tg.texts_to(alice)[-1]
    assert "no API keys" not in tg.texts_to(alice)[-1]


async def test_insights_are_read_as_stored_without_training_or_counting(app, tg, db, clock, http):
    alice, channel = await owner_with_planted_history(tg, db, clock, posts=200)
    key = await api_key(tg, alice)
    path = f"/channels/{channel.id}/insights"

    status, _, before = await call(http, app, "GET", path, key)
    await tg.send_text(alice, "/insights")  # trains the model, counting one run
    used = await db.fetchval("SELECT sum(used) FROM usage_counters")
    status_after, _, after = await call(http, app, "GET", path, key)

    assert (status, before["trained"], before["posts_needed"]) == (200, False, 0)
    assert before["effects"] == [] and before["quality"] is None
    assert await db.fetchval("SELECT count(*) FROM insight_models") == 1
    assert status_after == 200 and after["trained"] is True
    assert {effect["feature"] for effect in after["effects"]} >= {"media:photo"}
    photo = next(e for e in after["effects"] if e["feature"] == "media:photo")
    assert photo["low"] < photo["multiplier"] < photo["high"] and photo["posts_with"] > 0
    assert after["quality"]["model_error"] < after["quality"]["baseline_error"]
    assert len(after["best_slots"]) > 0 and after["time_zone"] == "Europe/Moscow"
    assert await db.fetchval("SELECT sum(used) FROM usage_counters") == used


async def test_insights_say_how_many_more_posts_a_model_needs(app, tg, http) -> None:
    alice, channel = await owner_with_channel(tg)
    key = await api_key(tg, alice)

    status, _, body = await call(http, app, "GET", f"/channels/{channel.id}/insights", key)

    assert status == 200
    assert (body["trained"], body["posts_needed"], body["best_slots"]) == (False, 40, [])


@pytest.mark.settings(feature_alerts=False, feature_share_links=False, feature_insights=False)
async def test_a_switched_off_feature_is_not_served_nor_documented(app, tg, http) -> None:
    alice, cooking = await owner_with_channel(tg, "Alice", "Cooking Daily", "cookingdaily")
    key = await api_key(tg, alice)

    for path in ("alerts", "shares", "insights"):
        assert_problem(*await call(http, app, "GET", f"/channels/{cooking.id}/{path}", key), 404)
    status, _, _ = await call(http, app, "GET", f"/channels/{cooking.id}/report", key)
    assert status == 200
    _, _, document = await call(http, app, "GET", "/openapi.json", None)
    assert {tag["name"] for tag in document["tags"]} == {
        "channels",
        "reports",
        "webhooks",
        "sessions",
    }
    assert not [path for path in document["paths"] if "alert" in path or "share" in path]
