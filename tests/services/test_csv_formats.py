"""The CSV a spreadsheet in another locale wants: its separator and decimal comma, still COPY."""

import csv

import pytest
from channel_history import SAMPLE_NOW, add_channel, add_user, write_sample_history
from helpers import ManualClock

from db.exports import ExportsRepository
from db.plans import PlansRepository
from services.analytics import Period
from services.entitlements import EntitlementsService
from services.exports import CSV_FORMATS, CsvLayout, ExportKind, ExportService
from services.i18n import ENGLISH

OWNER = 501
CHANNEL = -1001000000001
MOSCOW = "Europe/Moscow"
POSTED_AT = 1
ENGAGEMENT = 7


@pytest.fixture
async def exports(db, tmp_path) -> ExportService:
    await add_user(db, OWNER, time_zone=MOSCOW)
    await add_channel(db, CHANNEL, admin_id=OWNER, verified_at=SAMPLE_NOW)
    await write_sample_history(db, CHANNEL)
    clock = ManualClock(SAMPLE_NOW)
    return ExportService(
        ExportsRepository(db, copy_timeout=60),
        EntitlementsService(PlansRepository(db), clock, standing_counts={}),
        clock,
        work_dir=tmp_path,
        max_file_bytes=10**7,
    )


async def ignore_progress(kind: ExportKind, rows: int) -> None:
    return None


async def read_export(
    exports: ExportService,
    kind: ExportKind,
    path,
    layout: CsvLayout = CsvLayout.STANDARD,
    on_progress=ignore_progress,
) -> list[list[str]]:
    """The rows of the owner's last-week CSV of `kind`, written to `path` and read back."""
    await exports.write_csv(
        kind,
        path,
        channel_id=CHANNEL,
        period=Period.last_days(7, today=SAMPLE_NOW.date()),
        time_zone=MOSCOW,
        t=ENGLISH,
        layout=layout,
        on_progress=on_progress,
    )
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file, delimiter=CSV_FORMATS[layout].delimiter))


async def test_the_separator_decimal_comma_and_dates_are_chosen_per_file(exports, tmp_path) -> None:
    progress: list[int] = []

    async def record_progress(kind: ExportKind, rows: int) -> None:
        progress.append(rows)

    async def posts(layout: CsvLayout) -> list[list[str]]:
        path = tmp_path / f"posts{CSV_FORMATS[layout].delimiter}.csv"
        return await read_export(exports, ExportKind.POSTS, path, layout, record_progress)

    english = await posts(CsvLayout.STANDARD)
    assert progress[0] == 0 and progress[-1] == len(english) - 1
    russian = await posts(CsvLayout.EXCEL_RU)

    assert english[0][ENGAGEMENT] == russian[0][ENGAGEMENT] == "Engagement, %"
    engagements = [row[ENGAGEMENT] for row in english[1:] if row[ENGAGEMENT]]
    assert engagements and all("." in value for value in engagements)
    assert english[1][POSTED_AT] == "2026-10-25 09:00:00"
    assert russian[1][POSTED_AT] == "25.10.2026 09:00:00"
    with_decimal_commas = [
        [
            row[0],
            russian_date(row[POSTED_AT]),
            *row[POSTED_AT + 1 : ENGAGEMENT],
            row[ENGAGEMENT].replace(".", ","),
            *row[ENGAGEMENT + 1 :],
        ]
        for row in english[1:]
    ]
    assert russian == [english[0], *with_decimal_commas]


def russian_date(iso: str) -> str:
    """2026-10-25 09:00:00 as 25.10.2026 09:00:00."""
    day, time = iso.split(" ")
    year, month, date = day.split("-")
    return f"{date}.{month}.{year} {time}"


@pytest.fixture
async def dmy_date_style(db):
    """The database's connections start with DateStyle SQL, DMY (25/10/2026), for this test."""
    database = await db.fetchval("SELECT current_database()")
    await db.execute(f"ALTER DATABASE \"{database}\" SET DateStyle = 'SQL, DMY'")
    await db.expire_connections()  # the pool's next connections start with that style
    yield
    await db.execute(f'ALTER DATABASE "{database}" RESET DateStyle')
    await db.expire_connections()


async def test_dates_are_iso_whatever_the_servers_date_style(
    db, dmy_date_style, exports, tmp_path
) -> None:
    rows = await read_export(exports, ExportKind.SUBSCRIBERS, tmp_path / "subscribers.csv")

    assert await db.fetchval("SHOW DateStyle") == "SQL, DMY"
    days = [row[0] for row in rows[1:]]
    assert days[0] == "2026-10-25" and days[-1] == "2026-10-31"
