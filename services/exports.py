"""CSV exports of a channel: its posts with their metrics, daily subscribers, daily joins/leaves.

PostgreSQL formats the rows itself (COPY ... TO STDOUT WITH (FORMAT csv)) and they stream
into temporary files as they arrive, so an export of millions of rows takes no more memory
than one of ten, and little more time than the COPY. Files are UTF-8 with a BOM: without
it Excel reads them in the local code page and garbles Cyrillic text. A Russian Excel splits
columns on `;` and reads `3,5` and `31.10.2026` as a number and a date, so the Excel (Russian)
layout has PostgreSQL write them so.
"""

import asyncio
import csv
import io
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import KW_ONLY, dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from db.exports import ExportQuery, ExportsRepository
from services.analytics import Period, ensure_period_allowed, user_time_zone
from services.clock import Clock
from services.domain.channels import ChannelRecord
from services.entitlements import EntitlementsService
from services.i18n import Message, Translator
from services.i18n_texts import exports as texts
from services.i18n_texts import sources as sources_texts
from services.plans import Allowance


class ExportKind(StrEnum):
    """One file of an export; the value is the part of the file name that says what it holds."""

    POSTS = "posts"
    SUBSCRIBERS = "subscribers"
    JOINS_LEAVES = "joins_leaves"
    SOURCES = "sources"  # joins and leaves per source and day (see services.sources)


_QUERIES = {
    ExportKind.POSTS: ExportQuery.POSTS,
    ExportKind.SUBSCRIBERS: ExportQuery.DAILY_SUBSCRIBERS,
    ExportKind.JOINS_LEAVES: ExportQuery.DAILY_JOINS_LEAVES,
    ExportKind.SOURCES: ExportQuery.DAILY_SOURCES,
}


_HEADERS: dict[ExportKind, tuple[Message, ...]] = {
    ExportKind.POSTS: texts.POSTS_HEADER,
    ExportKind.SUBSCRIBERS: texts.SUBSCRIBERS_HEADER,
    ExportKind.JOINS_LEAVES: texts.JOINS_LEAVES_HEADER,
    ExportKind.SOURCES: sources_texts.DAILY_HEADER,
}


class CsvLayout(StrEnum):
    """How the cells are written: plain CSV, or as a Russian Excel reads numbers and dates."""

    STANDARD = "csv"
    EXCEL_RU = "excel"


# `/export @channel 30d excel`: the word that asks for the Excel (Russian) layout.
EXCEL_WORD = "excel"


def split_layout(args: str | None) -> tuple[str, CsvLayout]:
    """The /export arguments without the layout word, and the layout they ask for."""
    words = (args or "").split()
    kept = [word for word in words if word.lower() != EXCEL_WORD]
    layout = CsvLayout.EXCEL_RU if len(kept) < len(words) else CsvLayout.STANDARD
    return " ".join(kept), layout


def _header(t: Translator, kind: ExportKind, time_zone: str) -> list[str]:
    return [t(column, time_zone=time_zone) for column in _HEADERS[kind]]


class ExportTooLarge(Exception):
    """A file of the export grew past what may be sent."""

    def __init__(self, kind: ExportKind, max_bytes: int) -> None:
        super().__init__(f"the {kind.value} export is larger than {max_bytes} bytes")
        self.kind = kind
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class ExportFile:
    kind: ExportKind
    path: Path
    filename: str
    rows: int


@dataclass(frozen=True)
class ChannelExport:
    channel: ChannelRecord
    period: Period
    layout: CsvLayout
    files: list[ExportFile]

    def file(self, kind: ExportKind) -> ExportFile:
        return next(f for f in self.files if f.kind is kind)


# Called as a file is written with its kind and its rows so far (0 when it starts).
ExportProgress = Callable[[ExportKind, int], Awaitable[None]]


def export_filename(channel: ChannelRecord, kind: ExportKind, period: Period) -> str:
    """e.g. cookingdaily_posts_2026-10-28_2026-11-26.csv; a private channel goes by its title."""
    name = channel.username or re.sub(r"\W+", "_", channel.title).strip("_").lower()
    return f"{name or abs(channel.id)}_{kind.value}_{period.first_day}_{period.last_day}.csv"


@dataclass(frozen=True)
class CsvFormat:
    """How the cells of a file are separated, and how its decimals and dates are written.

    date_style is PostgreSQL's DateStyle: "ISO, YMD" writes 2026-10-25 09:00:00, "German, DMY"
    25.10.2026 09:00:00.
    """

    delimiter: str
    decimal_separator: str
    date_style: str


# The files as Excel and most spreadsheets read them in English.
EXCEL_CSV = CsvFormat(delimiter=",", decimal_separator=".", date_style="ISO, YMD")
# What a Russian Excel reads as numbers and dates: `;` between cells, 3,5 and 31.10.2026.
RUSSIAN_EXCEL_CSV = CsvFormat(delimiter=";", decimal_separator=",", date_style="German, DMY")
CSV_FORMATS = {CsvLayout.STANDARD: EXCEL_CSV, CsvLayout.EXCEL_RU: RUSSIAN_EXCEL_CSV}


class _CsvFile:
    """A CSV file being written: the BOM and the header from here, the rows as COPY sends them."""

    def __init__(self, path: Path, header: Sequence[str], csv_format: CsvFormat) -> None:
        self._file: BinaryIO = path.open("wb")
        header_line = io.StringIO()
        writer = csv.writer(header_line, delimiter=csv_format.delimiter, lineterminator="\n")
        writer.writerow(header)
        self._file.write(header_line.getvalue().encode("utf-8-sig"))

    def write(self, data: bytes) -> int:
        """Append rows; returns the file's size so far in bytes."""
        self._file.write(data)
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class ExportService:
    exports: ExportsRepository
    entitlements: EntitlementsService
    clock: Clock
    _: KW_ONLY
    work_dir: Path  # holds the files while they are sent
    max_file_bytes: int  # the largest allowed

    @asynccontextmanager
    async def export_channel(
        self,
        *,
        user_id: int,
        channel: ChannelRecord,
        period: Period,
        time_zone: str,
        t: Translator,
        layout: CsvLayout,
        on_progress: ExportProgress,
    ) -> AsyncIterator[ChannelExport]:
        """Write the channel's three CSV files for the period; they exist until exit.

        Their headers are in `t`'s language, their cells as `layout` says.

        Counts one export against the user's daily allowance, and gives it back if building
        the files or whatever the caller does with them (sending) fails. Raises LimitReached
        for a period reaching back further than the plan's history or past the daily
        allowance, InvalidPeriod for one in the future or before Telegram, and ExportTooLarge
        for a file over max_file_bytes. The caller has checked that the user administers the
        channel.
        """
        zone = user_time_zone(time_zone)
        today = self.clock.now().astimezone(zone).date()
        await ensure_period_allowed(self.entitlements, user_id=user_id, period=period, today=today)
        await self.entitlements.consume(user_id=user_id, allowance=Allowance.EXPORTS_PER_DAY)
        try:
            folder = await asyncio.to_thread(self._new_folder)
            try:
                files = []
                for kind in ExportKind:
                    path = Path(folder.name) / export_filename(channel, kind, period)
                    rows = await self.write_csv(
                        kind,
                        path,
                        channel_id=channel.id,
                        period=period,
                        time_zone=str(zone),
                        t=t,
                        layout=layout,
                        on_progress=on_progress,
                    )
                    files.append(ExportFile(kind=kind, path=path, filename=path.name, rows=rows))
                yield ChannelExport(channel=channel, period=period, layout=layout, files=files)
            finally:
                await asyncio.to_thread(folder.cleanup)
        except BaseException:
            # Shielded: a cancelled export (the bot stopping) is refunded all the same.
            await asyncio.shield(
                self.entitlements.refund(user_id=user_id, allowance=Allowance.EXPORTS_PER_DAY)
            )
            raise

    def _new_folder(self) -> tempfile.TemporaryDirectory[str]:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix="export-", dir=self.work_dir)

    async def write_csv(
        self,
        kind: ExportKind,
        path: Path,
        *,
        channel_id: int,
        period: Period,
        time_zone: str,
        t: Translator,
        layout: CsvLayout,
        on_progress: ExportProgress,
    ) -> int:
        """Stream one export into a CSV file at path; returns its number of rows."""
        await on_progress(kind, 0)
        csv_format = CSV_FORMATS[layout]
        header = _header(t, kind, time_zone)
        output = await asyncio.to_thread(_CsvFile, path, header, csv_format)
        # Rows so far, counted by line ends: a post text with line breaks counts once per
        # line until COPY reports the exact number at the end.
        lines = 0

        async def write(data: bytes) -> None:
            nonlocal lines
            size = await asyncio.to_thread(output.write, data)
            if size > self.max_file_bytes:
                raise ExportTooLarge(kind, self.max_file_bytes)
            lines += data.count(b"\n")
            await on_progress(kind, lines)

        try:
            rows = await self.exports.copy_csv(
                _QUERIES[kind],
                channel_id=channel_id,
                first_day=period.first_day,
                last_day=period.last_day,
                time_zone=time_zone,
                now=self.clock.now(),
                delimiter=csv_format.delimiter,
                decimal_separator=csv_format.decimal_separator,
                date_style=csv_format.date_style,
                source_names=sources_texts.source_names(t) if kind is ExportKind.SOURCES else {},
                sink=write,
            )
        finally:
            await asyncio.to_thread(output.close)
        await on_progress(kind, rows)
        return rows
