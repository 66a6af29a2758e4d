"""The share page in a real browser: charts load, nothing breaks the CSP, it fits a phone."""

import asyncio
from pathlib import Path

import pytest
from devtools import CHROMIUM, BrowserPage, chromium_page
from stories import channel_with_history, share

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium)"
)


async def open_page(page: BrowserPage, url: str) -> None:
    async with asyncio.timeout(30):
        await page.open(url)


async def test_share_page_loads_its_charts_without_console_errors_on_a_phone(
    app, tg, db, clock
) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    link = await share(app, shared)

    async with chromium_page(width=390, height=844, mobile=True) as page:
        await open_page(page, f"{app.app.web_url}/r/{link.token}")

        images = await page.evaluate(
            "[...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
        )
        assert len(images) == 4
        assert all(complete and width > 0 and height > 0 for complete, width, height in images)
        # The stylesheet applied (its hash matched the CSP), and nothing overflows the screen.
        assert await page.evaluate("getComputedStyle(document.body).margin") == "0px"
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.errors() == []
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "share_page_phone.png").write_bytes(await page.screenshot())

        # The check would see a violation: an image from another host is refused and reported.
        mark = page.mark()
        await page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', "
            "'<img src=\"https://example.com/tracker.png\">')"
        )
        async with asyncio.timeout(10):
            await page.wait_for_event("Log.entryAdded", after=mark)
        assert any("Content Security Policy" in error for error in page.errors())


async def test_expired_page_reads_well_in_a_browser(app, tg, db, clock) -> None:
    shared = await channel_with_history(app, tg, db, clock)
    link = await share(app, shared, hours=1)
    clock.advance(hours=2)

    async with chromium_page(width=1280, height=800, mobile=False) as page:
        await open_page(page, f"{app.app.web_url}/r/{link.token}")

        assert await page.evaluate("document.querySelector('h1').textContent") == (
            "This link has expired"
        )
        # A 410 is a failed load for the console; nothing else may complain.
        assert all("410" in error for error in page.errors())
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "share_page_expired.png").write_bytes(await page.screenshot())
