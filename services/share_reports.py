"""A share link's report, built from the channel's analytics, charts and CSV exports."""

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from db.channels import ChannelsRepository
from services.analytics import AnalyticsService, ChannelReport, Period, PostStats
from services.charts import ChartService
from services.domain.share_links import ShareLinkRecord
from services.exports import CsvLayout, ExportKind, ExportService
from services.i18n import Catalogs, Translator, user_locale
from services.i18n_texts import share as texts
from services.share_links import KeyNumber, SharedPost

# Rows of the top posts table: enough to show what worked, short enough for a phone.
TOP_POSTS_SHOWN = 10


def key_numbers(report: ChannelReport) -> tuple[KeyNumber, ...]:
    totals = report.current
    return (
        KeyNumber("subscribers", texts.SUBSCRIBERS, totals.subscribers),
        KeyNumber(
            "subscriber_change", texts.SUBSCRIBER_CHANGE, totals.subscriber_change, signed=True
        ),
        KeyNumber("joins", texts.JOINED, totals.joins),
        KeyNumber("leaves", texts.LEFT, totals.leaves),
        KeyNumber("posts", texts.POSTS, totals.posts),
        KeyNumber("average_reach", texts.AVERAGE_REACH, totals.average_reach),
        KeyNumber("err", texts.ERR, totals.err, "%"),
        KeyNumber("engagement_rate", texts.ENGAGEMENT_RATE, totals.engagement_rate, "%"),
    )


def top_posts(report: ChannelReport) -> tuple[SharedPost, ...]:
    """The period's posts with the most views (then reactions), best first."""
    ranked = sorted(
        report.posts, key=lambda post: (post.views is not None, post.views or 0, post.reactions)
    )
    zone = ZoneInfo(report.time_zone)
    return tuple(
        _shared_post(post, report.channel.username, zone)
        for post in reversed(ranked[-TOP_POSTS_SHOWN:])
    )


def _shared_post(post: PostStats, username: str | None, zone: ZoneInfo) -> SharedPost:
    return SharedPost(
        message_id=post.message_id,
        posted_at=post.posted_at.astimezone(zone),  # the creator's clock, as in /stats
        text=post.text or (f"[{post.media_kind}]" if post.media_kind else ""),
        views=post.views,
        reactions=post.reactions,
        url=f"https://t.me/{username}/{post.message_id}" if username else None,
    )


@dataclass
class AnalyticsShareableReport:
    """One channel's report for one period; charts are drawn once, when first asked for."""

    report: ChannelReport
    charts: ChartService
    exports: ExportService
    t: Translator  # the language of the link's creator: the page speaks it to every visitor
    key_numbers: tuple[KeyNumber, ...]
    top_posts: tuple[SharedPost, ...]
    chart_names: tuple[str, ...]
    # Where subscribers came from stays the owner's business (see services.charts).
    csv_names: tuple[str, ...] = tuple(
        kind.value for kind in ExportKind if kind is not ExportKind.SOURCES
    )
    _drawn: asyncio.Task | None = field(default=None, init=False, repr=False)

    @property
    def channel_title(self) -> str:
        return self.report.channel.title

    @property
    def channel_username(self) -> str | None:
        return self.report.channel.username

    @property
    def days(self) -> int:
        return self.report.period.days

    @property
    def first_day(self) -> date:
        return self.report.period.first_day

    @property
    def last_day(self) -> date:
        return self.report.period.last_day

    async def chart_png(self, name: str) -> bytes:
        if self._drawn is None:
            # One render of every chart serves the page's several chart requests.
            self._drawn = asyncio.ensure_future(self.charts.render(self.report, self.t))
        charts = await asyncio.shield(self._drawn)
        return next(chart.png for chart in charts if chart.name == name)

    async def csv_bytes(self, name: str) -> bytes:
        folder = await asyncio.to_thread(tempfile.TemporaryDirectory, prefix="share-csv-")
        try:
            path = Path(folder.name) / f"{name}.csv"
            await self.exports.write_csv(
                ExportKind(name),
                path,
                channel_id=self.report.channel.id,
                period=self.report.period,
                time_zone=self.report.time_zone,
                t=self.t,
                layout=CsvLayout.STANDARD,
                on_progress=_ignore_progress,
            )
            return await asyncio.to_thread(path.read_bytes)
        finally:
            await asyncio.to_thread(folder.cleanup)


async def _ignore_progress(kind: ExportKind, rows: int) -> None:
    """A share page download has nobody to show progress to."""


@dataclass(frozen=True)
class AnalyticsShareSource:
    """Builds share links' reports with the same services that answer /stats and /export."""

    channels: ChannelsRepository
    analytics: AnalyticsService
    charts: ChartService
    exports: ExportService
    catalogs: Catalogs
    chart_names: tuple[str, ...]

    async def build(self, link: ShareLinkRecord) -> AnalyticsShareableReport:
        channel = await self.channels.get(channel_id=link.channel_id)
        today = self.analytics.today(link.creator_time_zone)
        report = await self.analytics.report(
            user_id=link.user_id,
            channel=channel,
            period=Period.last_days(link.days, today=today),
            time_zone=link.creator_time_zone,
        )
        return AnalyticsShareableReport(
            report=report,
            charts=self.charts,
            exports=self.exports,
            t=self.catalogs.translator(
                user_locale(
                    chosen_language=link.creator_chosen_language,
                    language_code=link.creator_language_code,
                )
            ),
            key_numbers=key_numbers(report),
            top_posts=top_posts(report),
            chart_names=self.chart_names,
        )
