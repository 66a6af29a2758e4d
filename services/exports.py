"""CSV exports of a channel: its posts with their metrics, daily subscribers, daily joins/leaves.

Rows stream from a database cursor into temporary files a chunk at a time, so an export of
millions of rows takes no more memory than one of ten. Files are UTF-8 with a BOM: without
it Excel reads them in the local code page and garbles Cyrillic text. A Russian Excel splits
columns on `;` and reads `3,5` and `31.10.2026` as a number and a date, so the Excel (Russian)
layout writes them so.
"""

import asyncio
import csv
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from db.exports import ExportQuery, ExportsRepository
from services.analytics import Period, ensure_period_allowed, user_time_zone
from services.clock import Clock
from services.domain.channels import ChannelRecord
from services.entitlements import EntitlementsService
from services.i18n import Message, Translator
from services.i18n_texts import exports as texts
from services.plans import Allowance

# Rows per round trip to the database: big enough to amortise it, small enough to stay flat.
CHUNK_ROWS = 5000


class ExportKind(StrEnum):
    """One file of an export; the value is the part of the file name that says what it holds."""

    POSTS = "posts"
    SUBSCRIBERS = "subscribers"
    JOINS_LEAVES = "joins_leaves"


_QUERIES = {
    ExportKind.POSTS: ExportQuery.POSTS,
    ExportKind.SUBSCRIBERS: ExportQuery.DAILY_SUBSCRIBERS,
    ExportKind.JOINS_LEAVES: ExportQuery.DAILY_JOINS_LEAVES,
}


_HEADERS: dict[ExportKind, tuple[Message, ...]] = {
    ExportKind.POSTS: texts.POSTS_HEADER,
    ExportKind.SUBSCRIBERS: texts.SUBSCRIBERS_HEADER,
    ExportKind.JOINS_LEAVES: texts.JOINS_LEAVES_HEADER,
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


# Called after each chunk with the file being written and its rows so far (0 when it starts).
ExportProgress = Callable[[ExportKind, int], Awaitable[None]]


def export_filename(channel: ChannelRecord, kind: ExportKind, period: Period) -> str:
    """e.g. cookingdaily_posts_2026-10-28_2026-11-26.csv; a private channel goes by its title."""
    name = channel.username or re.sub(r"\W+", "_", channel.title).strip("_").lower()
    return f"{name or abs(channel.id)}_{kind.value}_{period.first_day}_{period.last_day}.csv"


# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection"); post
# texts come from anyone who can post, so such cells get a leading apostrophe, which shows as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)


def _inert(value: Any) -> Any:
    return f"'{value}" if _is_formula(value) else value


def _russian_excel_cell(value: Any) -> Any:
    """3.5 as 3,5 and dates as 31.10.2026 (14:05:00): what a Russian Excel reads as such."""
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M:%S}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return value


class _CsvFile:
    """A CSV file being written; its methods block, so they run in a worker thread."""

    def __init__(self, path: Path, header: Sequence[str], layout: CsvLayout) -> None:
        self._file: TextIO = path.open("w", encoding="utf-8-sig", newline="")
        self._excel = layout is CsvLayout.EXCEL_RU
        self._writer = csv.writer(self._file, delimiter=";" if self._excel else ",")
        self._writer.writerow(header)

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        """Append rows; returns the file's size so far in bytes."""
        # Formulas are defused before numbers are written out: "-3,5" is a number, not a formula.
        safe = (
            [_inert(value) for value in row] if any(map(_is_formula, row)) else row for row in rows
        )
        if self._excel:
            safe = ([_russian_excel_cell(value) for value in row] for row in safe)
        self._writer.writerows(safe)
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


class ExportService:
    def __init__(
        self,
        exports: ExportsRepository,
        entitlements: EntitlementsService,
        clock: Clock,
        *,
        work_dir: Path,
        max_file_bytes: int,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        """work_dir holds the files while they are sent; max_file_bytes: the largest allowed."""
        self._exports = exports
        self._entitlements = entitlements
        self._clock = clock
        self._work_dir = work_dir
        self._max_file_bytes = max_file_bytes
        self._chunk_rows = chunk_rows

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
        today = self._clock.now().astimezone(zone).date()
        await ensure_period_allowed(self._entitlements, user_id=user_id, period=period, today=today)
        await self._entitlements.consume(user_id=user_id, allowance=Allowance.EXPORTS_PER_DAY)
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
                self._entitlements.refund(user_id=user_id, allowance=Allowance.EXPORTS_PER_DAY)
            )
            raise

    def _new_folder(self) -> tempfile.TemporaryDirectory[str]:
        self._work_dir.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryDirectory(prefix="export-", dir=self._work_dir)

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
        rows = 0
        header = _header(t, kind, time_zone)
        output = await asyncio.to_thread(_CsvFile, path, header, layout)
        try:
            chunks = self._exports.stream(
                _QUERIES[kind],
                channel_id=channel_id,
                first_day=period.first_day,
                last_day=period.last_day,
                time_zone=time_zone,
                now=self._clock.now(),
                chunk_rows=self._chunk_rows,
            )
            async with aclosing(chunks):
                async for chunk in chunks:
                    size = await asyncio.to_thread(output.write, chunk)
                    if size > self._max_file_bytes:
                        raise ExportTooLarge(kind, self._max_file_bytes)
                    rows += len(chunk)
                    await on_progress(kind, rows)
        finally:
            await asyncio.to_thread(output.close)
        return rows
