"""/healthz and /metrics, as a load balancer and Prometheus read them."""

from datetime import datetime

import aiohttp
from fake_telegram import FakeTelegram
from prometheus_client.parser import text_string_to_metric_families


async def scrape(app) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, parsed by prometheus_client's own parser."""
    async with aiohttp.ClientSession() as http, http.get(f"{app.app.web_url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


MESSAGES = ("analyticbot_updates_handled_total", (("type", "message"),))
LATENCIES = ("analyticbot_handler_seconds_count", (("type", "message"),))
FORBIDDEN = ("analyticbot_telegram_errors_total", (("code", "403"),))


async def test_metrics_count_updates_and_time_their_handlers(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    await tg.send_text(alice, "/help")
    before = await scrape(app)

    await tg.send_text(alice, "/help")
    await tg.send_text(alice, "/start")
    after = await scrape(app)

    assert after[MESSAGES] - before[MESSAGES] == 2
    assert after[LATENCIES] - before[LATENCIES] == 2


async def test_metrics_count_telegram_errors_by_code(app, tg: FakeTelegram) -> None:
    alice = tg.user("Alice")
    tg.fail_next(
        "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
    )

    await tg.send_text(alice, "/help")

    assert (await scrape(app))[FORBIDDEN] == 1


async def test_metrics_show_the_queues_and_backlogs(app) -> None:
    samples = await scrape(app)

    assert samples[("analyticbot_alert_outbox_depth", ())] == 0
    assert samples[("analyticbot_oldest_undelivered_alert_seconds", ())] == 0
    assert samples[("analyticbot_views_collector_lag_seconds", ())] == 0
    assert samples[("analyticbot_queue_depth", (("queue", "outgoing"),))] == 0
    assert samples[("analyticbot_queue_depth", (("queue", "ingestion"),))] == 0


async def test_health_shows_the_last_update_handled_and_when(app, tg: FakeTelegram, clock) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{app.app.web_url}/healthz") as response:
            assert (await response.json())["last_update"] is None
        await tg.send_text(tg.user("Alice"), "/help")
        async with http.get(f"{app.app.web_url}/healthz") as response:
            health = await response.json()

    assert response.status == 200
    assert health["database"] is True
    assert health["last_update"]["type"] == "message"
    assert datetime.fromisoformat(health["last_update"]["handled_at"]) == clock.now()
