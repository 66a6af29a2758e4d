"""PNG charts of a channel report, drawn with matplotlib in a worker thread.

Figures are built with `matplotlib.figure.Figure` and never through pyplot, so no GUI backend
and no global figure registry are involved; PNGs come from the Agg canvas.
"""

import asyncio
import io
import threading
from collections.abc import Callable, Sequence
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
from matplotlib.ticker import FuncFormatter

from services.analytics import ChannelReport, PostStats, ViewsStatus
from services.domain.copies import ComparedChannel
from services.i18n import Message, Translator
from services.i18n_texts import charts as texts
from services.i18n_texts import copies as copies_texts
from services.i18n_texts import sources as sources_texts

# 7.2 in × 150 dpi = 1080 px square: sharp on a phone, with text sized in points that stay legible.
FIGURE_INCHES = 7.2
DPI = 150
TITLE_SIZE = 15
LABEL_SIZE = 11
TOP_POST_LABEL = 34  # characters of a post's text shown next to its bar
SOURCE_BARS = 8  # sources drawn by name; the others are summed into one bar

JOIN_COLOUR = "#2e9e5b"
LEAVE_COLOUR = "#d1495b"
LINE_COLOUR = "#2b6cb0"


@dataclass(frozen=True)
class Chart:
    name: str  # "growth", "views", "posting_times", "top_posts", "sources"
    png: bytes


class ChartService:
    """Renders a report's charts off the event loop, one report at a time.

    matplotlib does not promise thread safety (its font and text caches are shared), so renders
    are serialised; each takes a fraction of a second.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    async def render(self, report: ChannelReport, t: Translator) -> list[Chart]:
        """The report's charts, their texts in `t`'s language."""
        return await asyncio.to_thread(self._render_locked, report, t)

    def _render_locked(self, report: ChannelReport, t: Translator) -> list[Chart]:
        with self._lock:
            return render_charts(report, t)

    async def render_comparison(
        self, channels: Sequence[ComparedChannel], days: int, t: Translator
    ) -> bytes:
        """/compare's chart: the owner's channel beside the watched ones, one panel a number."""
        return await asyncio.to_thread(self._comparison_locked, channels, days, t)

    def _comparison_locked(
        self, channels: Sequence[ComparedChannel], days: int, t: Translator
    ) -> bytes:
        with self._lock:
            return draw_comparison(channels, days, t)


def render_charts(report: ChannelReport, t: Translator) -> list[Chart]:
    """Every chart of the report; one without data shows a "no data yet" panel instead."""
    return [Chart(name, draw(report, t)) for name, draw in CHARTS.items()]


def draw_growth(report: ChannelReport, t: Translator) -> bytes:
    """Subscribers as a line over daily joins (up) and leaves (down) as bars."""
    figure = _figure(report, t, texts.GROWTH_TITLE)
    if not report.days:
        return _no_data(figure, t(texts.NO_DAYS))
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
        line_axes.set_ylabel(t(texts.SUBSCRIBERS_AXIS), fontsize=LABEL_SIZE)
    else:
        # No subscriber counts yet: the joins and leaves still show the trend.
        line_axes.plot(
            days, [day.net_growth_to_date for day in report.days], color=LINE_COLOUR, linewidth=2.5
        )
        line_axes.set_ylabel(t(texts.NET_CHANGE_AXIS), fontsize=LABEL_SIZE)
    line_axes.yaxis.get_major_locator().set_params(integer=True)
    line_axes.yaxis.set_major_formatter(_whole_numbers(t))
    joins = [day.joins for day in report.days]
    bar_axes.bar(days, joins, color=JOIN_COLOUR, label=t(texts.JOINED_LEGEND))
    leaves = [-day.leaves for day in report.days]
    bar_axes.bar(days, leaves, color=LEAVE_COLOUR, label=t(texts.LEFT_LEGEND))
    bar_axes.axhline(0, color="#555555", linewidth=0.8)
    bar_axes.set_ylabel(t(texts.PER_DAY_AXIS), fontsize=LABEL_SIZE)
    bar_axes.yaxis.get_major_locator().set_params(integer=True)
    # Headroom above the tallest bar keeps the legend off the bars.
    bar_axes.set_ylim(top=max(max(day.joins for day in report.days), 1) * 1.4)
    bar_axes.legend(loc="upper left", fontsize=LABEL_SIZE, frameon=False, ncols=2)
    _date_axis(bar_axes, t, tz=None)
    for axes in (line_axes, bar_axes):
        _style(axes)
    return _png(figure)


def draw_views(report: ChannelReport, t: Translator) -> bytes:
    """Each post's latest views at its publishing time, with the period's average reach."""
    figure = _figure(report, t, texts.VIEWS_TITLE)
    seen = [post for post in report.posts if post.views is not None]
    if not seen:
        return _no_data(figure, _no_views(report, t))
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
            label=t(
                texts.AVERAGE_REACH_LEGEND,
                reach=t.number(report.current.average_reach, digits=0),
            ),
        )
        axes.legend(loc="upper left", fontsize=LABEL_SIZE, frameon=False)
    axes.set_ylim(bottom=0)
    axes.set_ylabel(t(texts.VIEWS_AXIS), fontsize=LABEL_SIZE)
    axes.yaxis.set_major_formatter(_whole_numbers(t))
    _date_axis(axes, t, tz=zone)
    _style(axes)
    return _png(figure)


def draw_posting_times(report: ChannelReport, t: Translator) -> bytes:
    """Weekday × hour heatmap of mean views against the period's mean (1.0 = average)."""
    figure = _figure(report, t, texts.POSTING_TIMES_TITLE, time_zone=drawable(report.time_zone))
    slots = report.posting_times.slots
    if not slots:
        return _no_data(figure, _no_views(report, t))
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
                t.number(slot.relative, digits=1),
                ha="center",
                va="center",
                fontsize=7,
            )
    axes.set_yticks(range(7), [t.weekday(day) for day in range(7)], fontsize=LABEL_SIZE)
    axes.set_xticks(range(0, 24, 3), [texts.hour_tick(t, hour) for hour in range(0, 24, 3)])
    axes.tick_params(axis="x", labelsize=LABEL_SIZE)
    axes.set_xlabel(t(texts.HOUR_AXIS), fontsize=LABEL_SIZE)
    colourbar = figure.colorbar(image, ax=axes, orientation="horizontal", pad=0.04, shrink=0.8)
    colourbar.set_label(t(texts.RELATIVE_VIEWS_SCALE), fontsize=LABEL_SIZE)
    colourbar.ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: t.number(value)))
    return _png(figure)


def draw_top_posts(report: ChannelReport, t: Translator) -> bytes:
    """The most viewed posts as horizontal bars, labelled with the start of their text."""
    figure = _figure(report, t, texts.TOP_POSTS_TITLE)
    top = report.top_by_views
    if not top:
        return _no_data(figure, _no_views(report, t))
    axes = figure.subplots()
    positions = range(len(top))
    views = [post.views or 0 for post in top]
    axes.barh(positions, views, color=LINE_COLOUR)
    axes.set_yticks(positions, [_post_label(post, report.time_zone, t) for post in top])
    axes.tick_params(axis="y", labelsize=LABEL_SIZE - 1)
    axes.invert_yaxis()  # the best at the top
    for position, count in zip(positions, views, strict=True):
        label = f" {t.number(count)}"
        axes.text(count, position, label, va="center", ha="left", fontsize=LABEL_SIZE - 1)
    axes.set_xlim(right=max(views) * 1.2 or 1)
    axes.set_xlabel(t(texts.VIEWS_AXIS), fontsize=LABEL_SIZE)
    axes.xaxis.set_major_formatter(_whole_numbers(t))
    _style(axes)
    return _png(figure)


def draw_sources(report: ChannelReport, t: Translator) -> bytes:
    """Joins per source in the period as bars, with the leaves of those who came through each."""
    figure = _figure(report, t, sources_texts.CHART_TITLE)
    sources = [source for source in report.sources if source.joins or source.leaves]
    if not any(source.joins for source in sources):
        return _no_data(figure, t(sources_texts.CHART_NO_JOINS))
    shown, rest = sources[:SOURCE_BARS], sources[SOURCE_BARS:]
    labels = [drawable(sources_texts.source_label(t, s.kind, s.link_name)) for s in shown]
    joins = [source.joins for source in shown]
    leaves = [source.leaves for source in shown]
    if rest:
        labels.append(drawable(t(sources_texts.CHART_OTHER)))
        joins.append(sum(source.joins for source in rest))
        leaves.append(sum(source.leaves for source in rest))
    axes = figure.subplots()
    positions = np.arange(len(labels))
    axes.barh(positions - 0.2, joins, height=0.4, color=JOIN_COLOUR, label=t(texts.JOINED_LEGEND))
    axes.barh(positions + 0.2, leaves, height=0.4, color=LEAVE_COLOUR, label=t(texts.LEFT_LEGEND))
    axes.set_yticks(positions, [label[:TOP_POST_LABEL] for label in labels])
    axes.invert_yaxis()  # the most joins at the top
    for position, count in zip(positions, joins, strict=True):
        axes.text(
            count, position - 0.2, f" {t.number(count)}", va="center", fontsize=LABEL_SIZE - 1
        )
    axes.set_xlim(right=max(joins + leaves) * 1.2 or 1)
    axes.xaxis.set_major_formatter(_whole_numbers(t))
    axes.legend(loc="lower right", fontsize=LABEL_SIZE, frameon=False)
    _style(axes)
    return _png(figure)


CHARTS: dict[str, Callable[[ChannelReport, Translator], bytes]] = {
    "growth": draw_growth,
    "views": draw_views,
    "posting_times": draw_posting_times,
    "top_posts": draw_top_posts,
    "sources": draw_sources,
}
# A share link's public page leaves out where subscribers came from: campaigns and their
# links are the owner's business.
SHAREABLE_CHARTS = tuple(name for name in CHARTS if name != "sources")


def draw_comparison(channels: Sequence[ComparedChannel], days: int, t: Translator) -> bytes:
    """Four bar panels (subscribers, posts a day, average views, ERR), the owner's bar marked."""
    figure = Figure(figsize=(FIGURE_INCHES, FIGURE_INCHES), dpi=DPI, layout="constrained")
    figure.suptitle(
        drawable(t.plural(copies_texts.COMPARE_CHART_TITLE, days)),
        fontsize=TITLE_SIZE,
        fontweight="bold",
    )
    names = [drawable(channel.name) for channel in channels]
    colours = [JOIN_COLOUR if channel.is_own else LINE_COLOUR for channel in channels]
    panels = (
        (copies_texts.SUBSCRIBERS_PANEL, [c.subscribers or 0 for c in channels]),
        (copies_texts.POSTS_PANEL, [c.posts_per_day for c in channels]),
        (copies_texts.VIEWS_PANEL, [c.average_views or 0 for c in channels]),
        (copies_texts.ERR_PANEL, [(c.err or 0) * 100 for c in channels]),
    )
    for axes, (title, values) in zip(figure.subplots(2, 2).flat, panels, strict=True):
        axes.barh(range(len(values)), values, color=colours)
        axes.set_yticks(range(len(values)), names)
        axes.invert_yaxis()
        axes.set_title(t(title), fontsize=LABEL_SIZE + 1)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: t.number(value)))
        _style(axes)
    return _png(figure)


# ----------------------------------------------------------------------------- drawing helpers


def _figure(report: ChannelReport, t: Translator, title: Message, **values: str) -> Figure:
    figure = Figure(figsize=(FIGURE_INCHES, FIGURE_INCHES), dpi=DPI, layout="constrained")
    period = report.period
    heading = texts.heading(t, title, period.first_day, period.last_day, **values)
    figure.suptitle(
        f"{drawable(report.channel.title)}\n{heading}",
        fontsize=TITLE_SIZE,
        fontweight="bold",
    )
    return figure


def _no_data(figure: Figure, message: str) -> bytes:
    axes = figure.subplots()
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=TITLE_SIZE, color="#666666")
    return _png(figure)


def _no_views(report: ChannelReport, t: Translator) -> str:
    private = report.views_status is ViewsStatus.PRIVATE
    return t(texts.NO_VIEWS_PRIVATE if private else texts.NO_VIEWS)


def _style(axes: Axes) -> None:
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=LABEL_SIZE)


def _date_axis(axes: Axes, t: Translator, *, tz: ZoneInfo | None) -> None:
    # Days named by Babel: matplotlib's own formatters name months in the C locale's English.
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8, tz=tz))
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _: t.date(mdates.num2date(value, tz).date(), texts.DAY_MONTH))
    )


def _whole_numbers(t: Translator) -> FuncFormatter:
    return FuncFormatter(lambda value, _: t.number(value, digits=0))


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _post_label(post: PostStats, time_zone: str, t: Translator) -> str:
    text = " ".join(post.text.split()) or texts.untitled_post(t, post.media_kind)
    text = drawable(text)
    if len(text) > TOP_POST_LABEL:
        text = text[: TOP_POST_LABEL - 1].rstrip() + "…"
    posted = post.posted_at.astimezone(ZoneInfo(time_zone))
    return f"{text}\n{drawable(t.moment(posted))}"


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
