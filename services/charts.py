"""PNG charts of a channel report, drawn with matplotlib in a worker thread.

Figures are built with `matplotlib.figure.Figure` and never through pyplot, so no GUI backend
and no global figure registry are involved; PNGs come from the Agg canvas.
"""

import asyncio
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from services.analytics import ChannelReport, PostStats, ViewsStatus

# 7.2 in × 150 dpi = 1080 px square: sharp on a phone, with text sized in points that stay legible.
FIGURE_INCHES = 7.2
DPI = 150
TITLE_SIZE = 15
LABEL_SIZE = 11
TOP_POST_LABEL = 34  # characters of a post's text shown next to its bar

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
JOIN_COLOUR = "#2e9e5b"
LEAVE_COLOUR = "#d1495b"
LINE_COLOUR = "#2b6cb0"
NO_VIEWS = "No views recorded in this period yet"
NO_VIEWS_PRIVATE = "Views are not available for private channels"


@dataclass(frozen=True)
class Chart:
    name: str  # "growth", "views", "posting_times", "top_posts"
    png: bytes


class ChartService:
    """Renders a report's charts off the event loop, one report at a time.

    matplotlib does not promise thread safety (its font and text caches are shared), so renders
    are serialised; each takes a fraction of a second.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    async def render(self, report: ChannelReport) -> list[Chart]:
        return await asyncio.to_thread(self._render_locked, report)

    def _render_locked(self, report: ChannelReport) -> list[Chart]:
        with self._lock:
            return render_charts(report)


def render_charts(report: ChannelReport) -> list[Chart]:
    """Every chart of the report; one without data shows a "no data yet" panel instead."""
    return [Chart(name, draw(report)) for name, draw in CHARTS.items()]


def draw_growth(report: ChannelReport) -> bytes:
    """Subscribers as a line over daily joins (up) and leaves (down) as bars."""
    figure = _figure(report, "Subscriber growth")
    if not report.days:
        return _no_data(figure, "No days in this period")
    line_axes, bar_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2], "hspace": 0.08}
    )
    days = [day.day for day in report.days]
    counted = [day for day in report.days if day.subscribers is not None]
    if counted:
        line_axes.plot(
            [day.day for day in counted],
            [day.subscribers for day in counted],
            color=LINE_COLOUR,
            linewidth=2.5,
            marker="o" if len(counted) <= 31 else None,
        )
        line_axes.set_ylabel("subscribers", fontsize=LABEL_SIZE)
    else:
        # No subscriber counts yet: the joins and leaves still show the trend.
        line_axes.plot(
            days, [day.net_growth_to_date for day in report.days], color=LINE_COLOUR, linewidth=2.5
        )
        line_axes.set_ylabel("net change since the first day", fontsize=LABEL_SIZE)
    line_axes.yaxis.get_major_locator().set_params(integer=True)
    line_axes.yaxis.set_major_formatter(_thousands)
    bar_axes.bar(days, [day.joins for day in report.days], color=JOIN_COLOUR, label="joined")
    bar_axes.bar(days, [-day.leaves for day in report.days], color=LEAVE_COLOUR, label="left")
    bar_axes.axhline(0, color="#555555", linewidth=0.8)
    bar_axes.set_ylabel("per day", fontsize=LABEL_SIZE)
    bar_axes.yaxis.get_major_locator().set_params(integer=True)
    # Headroom above the tallest bar keeps the legend off the bars.
    bar_axes.set_ylim(top=max(max(day.joins for day in report.days), 1) * 1.4)
    bar_axes.legend(loc="upper left", fontsize=LABEL_SIZE, frameon=False, ncols=2)
    _date_axis(bar_axes, tz=None)
    for axes in (line_axes, bar_axes):
        _style(axes)
    return _png(figure)


def draw_views(report: ChannelReport) -> bytes:
    """Each post's latest views at its publishing time, with the period's average reach."""
    figure = _figure(report, "Views per post")
    seen = [post for post in report.posts if post.views is not None]
    if not seen:
        return _no_data(figure, _no_views(report))
    axes = figure.subplots()
    zone = ZoneInfo(report.time_zone)
    times = [post.posted_at.astimezone(zone) for post in seen]
    views = [post.views for post in seen]
    axes.vlines(times, 0, views, color=LINE_COLOUR, linewidth=2, alpha=0.6)
    axes.plot(times, views, "o", color=LINE_COLOUR, markersize=6)
    if report.current.average_reach is not None:
        axes.axhline(
            report.current.average_reach,
            color="#888888",
            linestyle="--",
            linewidth=1.2,
            label=f"average reach {report.current.average_reach:,.0f}",
        )
        axes.legend(loc="upper left", fontsize=LABEL_SIZE, frameon=False)
    axes.set_ylim(bottom=0)
    axes.set_ylabel("views", fontsize=LABEL_SIZE)
    axes.yaxis.set_major_formatter(_thousands)
    _date_axis(axes, tz=zone)
    _style(axes)
    return _png(figure)


def draw_posting_times(report: ChannelReport) -> bytes:
    """Weekday × hour heatmap of mean views against the period's mean (1.0 = average)."""
    figure = _figure(report, f"Best time to post ({report.time_zone})")
    slots = report.posting_times.slots
    if not slots:
        return _no_data(figure, _no_views(report))
    grid = np.full((7, 24), np.nan)
    for slot in slots:
        grid[slot.weekday, slot.hour] = slot.relative if slot.relative is not None else np.nan
    axes = figure.subplots()
    axes.set_facecolor("#f0f0f0")  # hours nobody posted at stay grey
    highest = float(np.nanmax(grid)) if not np.all(np.isnan(grid)) else 2.0
    norm = TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=max(highest, 1.5))
    image = axes.imshow(grid, cmap="RdYlGn", norm=norm, aspect="auto")
    for slot in slots:
        if slot.relative is not None:
            axes.text(
                slot.hour,
                slot.weekday,
                f"{slot.relative:.1f}",
                ha="center",
                va="center",
                fontsize=7,
            )
    axes.set_yticks(range(7), WEEKDAYS, fontsize=LABEL_SIZE)
    axes.set_xticks(range(0, 24, 3), [f"{hour:02d}h" for hour in range(0, 24, 3)])
    axes.tick_params(axis="x", labelsize=LABEL_SIZE)
    axes.set_xlabel("hour of publishing", fontsize=LABEL_SIZE)
    colourbar = figure.colorbar(image, ax=axes, orientation="horizontal", pad=0.04, shrink=0.8)
    colourbar.set_label("mean views ÷ average (1.0 = average)", fontsize=LABEL_SIZE)
    return _png(figure)


def draw_top_posts(report: ChannelReport) -> bytes:
    """The most viewed posts as horizontal bars, labelled with the start of their text."""
    figure = _figure(report, "Top posts by views")
    top = report.top_by_views
    if not top:
        return _no_data(figure, _no_views(report))
    axes = figure.subplots()
    positions = range(len(top))
    views = [post.views or 0 for post in top]
    axes.barh(positions, views, color=LINE_COLOUR)
    axes.set_yticks(positions, [_post_label(post, report.time_zone) for post in top])
    axes.tick_params(axis="y", labelsize=LABEL_SIZE - 1)
    axes.invert_yaxis()  # the best at the top
    for position, count in zip(positions, views, strict=True):
        axes.text(count, position, f" {count:,}", va="center", ha="left", fontsize=LABEL_SIZE - 1)
    axes.set_xlim(right=max(views) * 1.2 or 1)
    axes.set_xlabel("views", fontsize=LABEL_SIZE)
    axes.xaxis.set_major_formatter(_thousands)
    _style(axes)
    return _png(figure)


CHARTS: dict[str, Callable[[ChannelReport], bytes]] = {
    "growth": draw_growth,
    "views": draw_views,
    "posting_times": draw_posting_times,
    "top_posts": draw_top_posts,
}


# ----------------------------------------------------------------------------- drawing helpers


def _figure(report: ChannelReport, title: str) -> Figure:
    figure = Figure(figsize=(FIGURE_INCHES, FIGURE_INCHES), dpi=DPI, layout="constrained")
    period = report.period
    figure.suptitle(
        f"{drawable(report.channel.title)}\n{title} · {period.first_day:%d %b} – "
        f"{period.last_day:%d %b %Y}",
        fontsize=TITLE_SIZE,
        fontweight="bold",
    )
    return figure


def _no_data(figure: Figure, message: str) -> bytes:
    axes = figure.subplots()
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=TITLE_SIZE, color="#666666")
    return _png(figure)


def _no_views(report: ChannelReport) -> str:
    return NO_VIEWS_PRIVATE if report.views_status is ViewsStatus.PRIVATE else NO_VIEWS


def _style(axes: Axes) -> None:
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=LABEL_SIZE)


def _date_axis(axes: Axes, *, tz: ZoneInfo | None) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8, tz=tz)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))


def _thousands(value: float, _position: int) -> str:
    return f"{value:,.0f}"


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _post_label(post: PostStats, time_zone: str) -> str:
    text = " ".join(post.text.split()) or f"[{post.media_kind or 'post'}]"
    text = drawable(text)
    if len(text) > TOP_POST_LABEL:
        text = text[: TOP_POST_LABEL - 1].rstrip() + "…"
    posted = post.posted_at.astimezone(ZoneInfo(time_zone))
    return f"{text}\n{posted:%d %b %H:%M}"


def drawable(text: str) -> str:
    """Text the chart font can draw: glyphs it lacks (emoji) dropped, `$` kept out of mathtext."""
    glyphs = _font_glyphs()
    kept = "".join(char for char in text if ord(char) in glyphs)
    return " ".join(kept.split()).replace("$", r"\$")


@cache
def _font_glyphs() -> frozenset[int]:
    """The code points matplotlib's bundled DejaVu Sans covers (Latin, Cyrillic, Greek, ...)."""
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return frozenset(FT2Font(str(path)).get_charmap())
