"""The dashboard Mini App's first screen: in headless Chromium on localhost, the time from
opening the app to the list of channels with their numbers (sign-in with initData, the channel
list, each channel's 7-day report), against the same page with no sign-in to do (the reopen
screen: the page, its style and script, and nothing asked of the API).

The bot runs as in production (BotApplication, polling the fake Telegram) on DATABASE_URL's
server (in a database of its own, dropped after) or an embedded PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from devtools import CHROMIUM, chromium_page
from fake_telegram import BOT_TOKEN, FakeTelegram
from helpers import bench_pool
from stories import channel_with_history, tracked_channel

from bot.app import BotApplication
from services.clock import SystemClock
from services.config import Settings

RUNS = 7
CHANNELS = 3  # the owner's: the list asks for each one's report
# The bar: the first screen within a second on localhost.
FIRST_SCREEN_SECONDS = 1.0
_SHOWN = (
    "[...document.querySelectorAll('[data-channel]')].length === {channels} && "
    "[...document.querySelectorAll('[data-channel]')].every(c => c.textContent.includes('·'))"
    " && performance.now()"
)
_REOPEN = "document.querySelector('h1') && document.body.classList.contains('signed-out')"


async def _median_ms(page, url: str, shown: str) -> float:
    times = []
    for _ in range(RUNS):
        await page.send("Page.navigate", url="about:blank")
        await page.send("Page.navigate", url=url)
        times.append(await page.wait_until(shown))
    return statistics.median(times)


async def bench(pool: asyncpg.Pool, tg: FakeTelegram, folder: Path) -> bool:
    settings = Settings(
        _env_file=None,
        bot_token=BOT_TOKEN,
        telegram_api_base=tg.base_url,
        telegram_webapp_script_url=tg.web_app_script_url,
        data_dir=folder,
        web_port=0,
        public_base_url="http://127.0.0.1",
        ingest_flush_seconds=3600,
    )
    app = BotApplication(settings, pool, clock=SystemClock())
    mark = tg.mark()
    polling = asyncio.create_task(
        app.run_polling(handle_as_tasks=False, handle_signals=False, polling_timeout=5)
    )
    try:
        await tg.wait_for("getUpdates", after=mark, timeout=15)
        running = SimpleNamespace(app=app, services=app.services)
        shared = await channel_with_history(running, tg, pool, app.clock)
        for number in range(2, CHANNELS + 1):
            await tracked_channel(tg, shared.owner, f"Channel {number}", f"benchchannel{number}")
        async with chromium_page(width=390, height=844, mobile=True) as page:
            init_data = tg.init_data(shared.owner, auth_date=app.clock.now())
            signed_in = tg.launch_url(f"{app.web_url}/app", init_data)
            reopen = f"{app.web_url}/app"
            baseline = await _median_ms(page, reopen, f"{_REOPEN} && performance.now()")
            first = await _median_ms(page, signed_in, _SHOWN.format(channels=CHANNELS))
    finally:
        await app.stop()
        await polling
    print(
        f"first screen, {CHANNELS} channels with their numbers: {first:.0f} ms "
        f"(median of {RUNS}); the page alone (reopen screen): {baseline:.0f} ms; "
        f"ratio {first / baseline:.1f}x"
    )
    within = first <= FIRST_SCREEN_SECONDS * 1000
    print(f"within {FIRST_SCREEN_SECONDS:.0f} s: {'yes' if within else 'NO'}")
    return within


async def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    if CHROMIUM is None:
        print("chromium is not installed (.ci/run installs Debian's chromium)")
        return 1
    folder = Path(tempfile.mkdtemp(prefix="abb-"))
    try:
        async with bench_pool("analyticbot_bench", max_size=8) as pool, FakeTelegram() as tg:
            within = await bench(pool, tg, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
