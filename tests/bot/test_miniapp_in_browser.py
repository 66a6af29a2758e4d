"""The dashboard Mini App in a real browser, opened as Telegram opens it: the launch parameters
in the URL's hash, and a stand-in for telegram-web-app.js (served by the fake Telegram).

The channel's history is the sample of channel_history.write_sample_history, seen at SAMPLE_NOW
by an owner in Moscow: its last 7 days have 5 posts and 750 views per post, its last 30 days 6.
"""

import asyncio
import json
from pathlib import Path

import pytest
from channel_history import SAMPLE_NOW
from devtools import CHROMIUM, BrowserPage, chromium_page
from fake_telegram import DARK_THEME, LIGHT_THEME
from helpers import ManualClock
from stories import owner_with_channel, owner_with_planted_history, owner_with_sample_history

from services.domain.alerts import AlertKind, AlertThresholds

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's chromium)"
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SAMPLE_NOW)


async def until(page: BrowserPage, expression: str) -> object:
    """The expression's value once it is truthy in the page; what the page shows if never."""
    try:
        async with asyncio.timeout(15):
            return await page.wait_until(expression)
    except TimeoutError:
        shown = await page.evaluate("document.body.innerText")
        raise AssertionError(f"never true: {expression}\npage: {shown}\n{page.errors()}") from None


def number(name: str) -> str:
    return f"document.querySelector('[data-name={name}] .value')?.textContent"


def bars(chart: str) -> str:
    return f"document.querySelectorAll('[data-chart={chart}] svg rect').length"


async def launch(
    page: BrowserPage, app, tg, user, *, theme=LIGHT_THEME, query: str = "", **signing
) -> None:
    """The user opens the app as Telegram opens it (`query`: what the button's URL adds)."""
    init_data = tg.init_data(
        user, auth_date=signing.pop("auth_date", app.app.clock.now()), **signing
    )
    async with asyncio.timeout(30):
        await page.open(tg.launch_url(f"{app.app.web_url}/app{query}", init_data, theme=theme))


async def open_channel(page: BrowserPage) -> None:
    await until(page, "!!document.querySelector('[data-channel]')")
    await page.evaluate("document.querySelector('[data-channel]').click()")
    await until(page, "!!document.querySelector('[data-chart=growth] svg')")


async def test_the_channel_screen_shows_numbers_and_charts_for_each_period(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)
    await app.services.alerts.create_rule(
        user_id=alice.id,
        channel_id=next(iter(tg.channels)),  # her Test Channel
        kind=AlertKind.POST_VIEWS,
        thresholds=AlertThresholds(amount=1000, hours=24),
    )

    async with chromium_page(width=390, height=844, mobile=True) as page:
        await launch(page, app, tg, alice)

        # My channels: each with its key numbers and their trend over the last 7 days.
        await until(
            page, "!!document.querySelector('[data-channel]')?.textContent.includes('+100')"
        )
        card = await page.evaluate("document.querySelector('[data-channel]').textContent")
        assert "Test Channel" in card and "1,100" in card and "750" in card and "▲" in card
        assert await page.evaluate("Telegram.WebApp.BackButton.isVisible") is False

        await open_channel(page)
        assert await page.evaluate(number("posts")) == "6"  # 30 days, the first shown
        thirty_days = await page.evaluate(bars("views"))
        await page.evaluate("document.querySelector('[data-days=\"7\"]').click()")
        await until(page, f"{number('posts')} === '5'")
        assert await page.evaluate(number("views_per_post")) == "750"
        assert await page.evaluate(number("subscribers")) == "1,100"
        assert await page.evaluate(bars("views")) == 4 < thirty_days
        assert await page.evaluate(bars("best_time")) == 24
        assert await page.evaluate("!!document.querySelector('[data-chart=growth] path.line')")
        text = await page.evaluate("document.body.innerText")
        assert "Best days: Fri" in text and "best hours: 18:00" in text and "Top posts" in text
        links = await page.evaluate("[...document.querySelectorAll('ol.posts a')].map(a => a.href)")
        assert links[0] == "https://t.me/testchannel/3"
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert await page.evaluate("Telegram.WebApp.BackButton.isVisible") is True
        assert await page.evaluate("Telegram.WebApp.MainButton.text") == "Share links"
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "miniapp_channel_light.png").write_bytes(await page.screenshot())

        # Alerts: the rule, paused and resumed from its button.
        await page.evaluate("[...document.querySelectorAll('.actions button')][0].click()")
        rule = await until(page, "document.querySelector('[data-rule]')?.innerText")
        assert "Post views" in rule and "1,000" in rule
        await page.evaluate("document.querySelector('[data-rule] button').click()")
        await until(page, "document.querySelector('[data-rule]')?.innerText.includes('paused')")
        assert (await app.services.alerts.list_rules(user_id=alice.id))[0].paused
        await page.evaluate("document.querySelector('[data-rule] button').click()")
        await until(page, "!document.querySelector('[data-rule]')?.innerText.includes('paused')")
        await page.evaluate("Telegram.WebView.receiveEvent('back_button_pressed')")
        await until(page, "!!document.querySelector('[data-chart=growth] svg')")

        # The MainButton opens the share links; there it creates one.
        await page.evaluate("Telegram.WebView.receiveEvent('main_button_pressed')")
        await until(page, "Telegram.WebApp.MainButton.text === 'Create a share link'")
        await page.evaluate("Telegram.WebView.receiveEvent('main_button_pressed')")
        created = await until(page, "document.querySelector('[data-created]')?.textContent")
        assert "/r/" in created
        assert await page.evaluate("document.querySelectorAll('[data-share]').length") == 1

        # The BackButton goes back, to the channel, then to the list, where it hides.
        await page.evaluate("Telegram.WebView.receiveEvent('back_button_pressed')")
        await until(page, "!!document.querySelector('[data-chart=growth] svg')")
        await page.evaluate("Telegram.WebView.receiveEvent('back_button_pressed')")
        await until(page, "!!document.querySelector('[data-channel]')")
        assert await page.evaluate("Telegram.WebApp.BackButton.isVisible") is False
        assert page.errors() == []

    # Dark, and opened from the channel's Open dashboard button under /stats: on the channel.
    async with chromium_page(width=390, height=844, mobile=True) as page:
        channel_id = next(iter(tg.channels))
        await launch(page, app, tg, alice, theme=DARK_THEME, query=f"?channel={channel_id}")
        await until(page, f"{number('posts')} === '6'")
        assert await page.evaluate("Telegram.WebApp.BackButton.isVisible") is True
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(33, 33, 33)"  # the theme's bg_color
        assert await page.evaluate("document.documentElement.dataset.scheme") == "dark"
        assert page.errors() == []
        (ARTIFACTS / "miniapp_channel_dark.png").write_bytes(await page.screenshot())

        # The user switches Telegram to its light theme: the app follows at once.
        light = json.dumps({"theme_params": LIGHT_THEME})
        await page.evaluate(f"Telegram.WebView.receiveEvent('theme_changed', {light})")
        assert await page.evaluate("document.documentElement.dataset.scheme") == "light"
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(255, 255, 255)"


@pytest.mark.parametrize(
    "signing",
    [
        pytest.param({"hash_override": "ab" * 32}, id="wrong hash"),
        pytest.param({"bot_token": "987654321:AAAnotherBotsTokenEntirely_xyz"}, id="other bot"),
        pytest.param({"auth_date": SAMPLE_NOW.replace(day=29)}, id="stale"),
    ],
)
async def test_forged_init_data_gets_a_page_saying_to_reopen_the_app(app, tg, db, signing) -> None:
    mallory, _ = await owner_with_channel(tg, "Mallory")

    async with chromium_page(width=390, height=844, mobile=True) as page:
        await launch(page, app, tg, mallory, **signing)

        title = await until(page, "document.querySelector('h1')?.textContent")
        assert title == "Please reopen the app from Telegram"
        assert "menu button" in await page.evaluate("document.body.innerText")
        assert await page.evaluate("document.querySelector('[data-channel]') === null")
        # The refused sign-in is a failed load for the console; nothing else may complain.
        assert page.errors() and all("401" in error for error in page.errors())


async def test_the_app_speaks_the_users_language(app, tg, db, clock) -> None:
    alice = await owner_with_sample_history(tg, db, language_code="ru")

    async with chromium_page(width=390, height=844, mobile=True) as page:
        await launch(page, app, tg, alice)
        await until(page, "document.querySelector('h1')?.textContent === 'Мои каналы'")
        await open_channel(page)
        assert await page.evaluate(number("subscribers")) == "1\xa0100"  # a no-break space
        text = await page.evaluate("document.body.innerText")
        assert "Лучшие посты" in text and "30 дней" in text
        assert page.errors() == []

        # An hour on (past midnight in Moscow), the session has ended: the app signs in again
        # with Telegram's initData and shows the week up to the new day.
        clock.advance(minutes=61)
        await page.evaluate("document.querySelector('[data-days=\"7\"]').click()")
        await until(
            page,
            "document.querySelector('[data-period]')?.dataset.period === '2026-10-26/2026-11-01'",
        )
        assert await db.fetchval("SELECT count(*) FROM app_sessions") == 1  # the old one expired

        # 90 days reach past the Free plan's history: said in her language, /plan named.
        await page.evaluate("document.querySelector('[data-days=\"90\"]').click()")
        refusal = await until(page, "document.querySelector('.notice')?.textContent")
        assert refusal.startswith("Ваш тариф") and "/plan" in refusal
        # Failed loads for the console: the expired session's 401, the refusal's 403.
        assert all("401" in error or "403" in error for error in page.errors())


@pytest.mark.settings(api_rate_burst=2, api_rate_per_second=0.001)
async def test_refusals_are_said_in_the_users_language(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db, language_code="ru")

    async with chromium_page(width=390, height=844, mobile=True) as page:
        await launch(page, app, tg, alice)
        await until(page, "!!document.querySelector('[data-channel]')")
        # The channel list took one request, the report the last: the rest are refused.
        await page.evaluate("document.querySelector('[data-channel]').click()")
        text = await until(
            page,
            "document.body.innerText.includes('Слишком много запросов') && document.body.innerText",
        )

        assert "Подождите несколько секунд" in text
        assert "Too many" not in text and "key" not in text and "ключ" not in text


async def open_insights(page: BrowserPage) -> str:
    await open_channel(page)
    await page.evaluate("document.querySelector('.actions button:last-child').click()")
    return await until(
        page, "!!document.querySelector('[data-insights]') && document.body.innerText"
    )


async def test_the_insights_screen_shows_what_the_model_found(app, tg, db, clock) -> None:
    alice, _ = await owner_with_planted_history(tg, db, clock, posts=200, language_code="ru")
    await tg.send_text(alice, "/insights")  # the bot trains the model

    async with chromium_page(width=390, height=844, mobile=True) as page:
        await launch(page, app, tg, alice)
        text = await open_insights(page)

        assert text.split("\n")[0].startswith("Инсайты")
        assert "Обучено на 200 постах" in text
        assert "Что влияет на просмотры" in text and "посты с фото: ×1," in text
        assert "Лучшее время в ближайшие 7 дней" in text
        assert (
            await page.evaluate("document.querySelectorAll('[data-insights=slots] li').length") > 0
        )
        assert page.errors() == []


async def test_without_a_model_the_insights_screen_says_how_many_posts_are_needed(
    app, tg, db
) -> None:
    alice = await owner_with_sample_history(tg, db)

    async with chromium_page(width=390, height=844, mobile=True) as page:
        await launch(page, app, tg, alice)
        text = await open_insights(page)

        assert "No insights yet" in text and "still needed" in text
        assert page.errors() == []


@pytest.mark.settings(feature_alerts=False, feature_share_links=False)
async def test_a_switched_off_feature_has_no_screen(app, tg, db) -> None:
    alice = await owner_with_sample_history(tg, db)

    async with chromium_page(width=390, height=844, mobile=True) as page:
        await launch(page, app, tg, alice)
        await open_channel(page)

        actions = await page.evaluate(
            "[...document.querySelectorAll('.actions button')].map(b => b.textContent)"
        )
        assert actions == ["Insights"]
        assert await page.evaluate("Telegram.WebApp.MainButton.isVisible") is False
