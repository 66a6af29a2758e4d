"""Charts: phone-sized PNGs of a real report, drawn off the event loop, readable without data."""

import io
import threading
from datetime import date

import pytest
from channel_history import SAMPLE_CHANNEL as CHANNEL
from channel_history import SAMPLE_NOW, sample_channel, write_sample_history
from channel_history import SAMPLE_OWNER as OWNER
from helpers import ManualClock
from PIL import Image

from db.analytics import AnalyticsRepository
from db.plans import PlansRepository
from services import charts
from services.analytics import AnalyticsService, ChannelReport, Period
from services.charts import ChartService, drawable, render_charts
from services.entitlements import EntitlementsService
from services.i18n import ENGLISH, Catalogs
from services.i18n_texts.charts import GROWTH_TITLE, heading


@pytest.fixture
async def report_for(db):
    """Builds the report of a period of the sample history, seen from Moscow."""
    clock = ManualClock(SAMPLE_NOW)
    channel = await sample_channel(db, title="Кулинария 🍲 Daily")
    await write_sample_history(db, CHANNEL)
    entitlements = EntitlementsService(PlansRepository(db), clock, standing_counts={})
    analytics = AnalyticsService(AnalyticsRepository(db), entitlements, clock)

    async def build(first_day: date, last_day: date) -> ChannelReport:
        period = Period(first_day=first_day, last_day=last_day)
        return await analytics.report(
            user_id=OWNER, channel=channel, period=period, time_zone="Europe/Moscow"
        )

    return build


def open_png(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return str(image.format), image.size


async def test_every_chart_is_a_phone_sized_png(report_for) -> None:
    report = await report_for(date(2026, 10, 25), date(2026, 10, 31))

    # Warnings are errors here: a glyph the font lacks would fail the test.
    rendered = render_charts(report, ENGLISH)

    assert [chart.name for chart in rendered] == [
        "growth",
        "views",
        "posting_times",
        "top_posts",
        "sources",
    ]
    for chart in rendered:
        assert open_png(chart.png) == ("PNG", (1080, 1080))


async def test_a_period_without_posts_still_draws_every_chart(report_for) -> None:
    report = await report_for(date(2026, 10, 5), date(2026, 10, 11))
    assert report.posts == ()

    rendered = render_charts(report, ENGLISH)

    assert [open_png(chart.png) for chart in rendered] == [("PNG", (1080, 1080))] * 5


async def test_charts_are_drawn_in_the_language_asked_for(report_for) -> None:
    report = await report_for(date(2026, 10, 25), date(2026, 10, 31))
    russian = Catalogs().translator("ru")

    in_english = render_charts(report, ENGLISH)
    in_russian = render_charts(report, russian)

    assert all(en.png != ru.png for en, ru in zip(in_english, in_russian, strict=True))
    first, last = report.period.first_day, report.period.last_day
    assert (
        heading(russian, GROWTH_TITLE, first, last) == "Рост подписчиков · 25 окт. – 31 окт. 2026"
    )
    assert heading(ENGLISH, GROWTH_TITLE, first, last) == "Subscriber growth · 25 Oct – 31 Oct 2026"


def test_labels_keep_cyrillic_and_drop_what_the_font_cannot_draw() -> None:
    assert drawable("Суп дня 🔥  борщ за $5") == r"Суп дня борщ за \$5"


async def test_rendering_runs_in_a_worker_thread(report_for, monkeypatch) -> None:
    report = await report_for(date(2026, 10, 25), date(2026, 10, 31))
    threads = []

    def record_thread(report: ChannelReport, t) -> list:
        threads.append(threading.current_thread())
        return []

    monkeypatch.setattr(charts, "render_charts", record_thread)
    await ChartService().render(report, ENGLISH)

    assert threads and threads[0] is not threading.main_thread()
