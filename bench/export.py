"""Export 1,000,000 posts with their metrics to CSV, against PostgreSQL's own COPY TO STDOUT.

Both read the same rows: the baseline is a bare COPY of them as the analytics query has them,
written by asyncpg to a file; the export is the whole of it, PostgreSQL formatting every cell
(db.exports.POSTS_QUERY), the BOM and header written from Python, then COPY streaming the rows.
The data is the demo history, 100 days of 10,000 posts, written with COPY by
`python -m services.demo` in a child process, so the peak memory of this process is the
export's own. Uses DATABASE_URL if set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from db.analytics import POSTS_WITH_METRICS
from db.demo import DEMO_CHANNEL_IDS
from db.embedded import EmbeddedPostgres
from db.exports import ExportsRepository
from db.plans import PlansRepository
from db.pool import create_pool
from services.analytics import Period
from services.entitlements import EntitlementsService
from services.exports import CsvLayout, ExportKind, ExportService
from services.i18n import ENGLISH

# The export's rows with none of its formatting: what COPY does with no work of ours.
BARE_POSTS_QUERY = f"""
WITH {POSTS_WITH_METRICS}
SELECT m.message_id, m.posted_at AT TIME ZONE $4::text, m.text, m.media_kind, m.views,
       m.views_24h, m.reactions, m.reactions * 100.0 / nullif(m.views, 0),
       'https://t.me/' || c.username || '/' || m.message_id
  FROM posts_with_metrics m
  JOIN channels c ON c.id = $1
 ORDER BY m.posted_at, m.message_id
"""

DAYS = 100
POSTS_PER_DAY = 10_000
ROUNDS = 2
# A million rows is one COPY: more than the pool's statement timeout allows on a busy machine.
COPY_TIMEOUT_SECONDS = 600.0
REPO = Path(__file__).resolve().parents[1]


def write_demo_data(dsn: str) -> None:
    """DAYS full days of POSTS_PER_DAY posts (and today's so far), in a child process."""
    command = [sys.executable, "-m", "services.demo", "--sparse"]
    command += ["--days", str(DAYS + 1), "--posts-per-day", str(POSTS_PER_DAY)]
    subprocess.run(command, cwd=REPO, env={**os.environ, "DATABASE_URL": dsn}, check=True)


async def tune_for_bulk_load(dsn: str) -> None:
    """A throwaway server need not survive a crash: no full-page images, no early checkpoints."""
    conn = await asyncpg.connect(dsn)
    try:
        for setting, value in (
            ("full_page_writes", "off"),
            ("max_wal_size", "'20GB'"),
            ("checkpoint_timeout", "'1h'"),
        ):
            await conn.execute(f"ALTER SYSTEM SET {setting} = {value}")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


class FixedClock:
    """The export sees the same now as COPY (views at 24 h depend on it): the very same rows."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def copy_baseline(pool: asyncpg.Pool, path: Path, period: Period, now: datetime) -> int:
    async with pool.acquire() as conn, conn.transaction():
        timeout_ms = str(round(COPY_TIMEOUT_SECONDS * 1000))
        await conn.execute("SELECT set_config('statement_timeout', $1, true)", timeout_ms)
        status = await conn.copy_from_query(
            BARE_POSTS_QUERY,
            DEMO_CHANNEL_IDS[0],
            period.first_day,
            period.last_day,
            "UTC",
            now,
            output=path,
            format="csv",
            header=True,
            timeout=COPY_TIMEOUT_SECONDS,
        )
    return int(status.split()[-1])


async def export(service: ExportService, path: Path, period: Period) -> int:
    async def ignore_progress(kind: ExportKind, rows: int) -> None:
        return None

    return await service.write_csv(
        ExportKind.POSTS,
        path,
        channel_id=DEMO_CHANNEL_IDS[0],
        period=period,
        time_zone="UTC",
        t=ENGLISH,
        layout=CsvLayout.STANDARD,
        on_progress=ignore_progress,
    )


async def measure(dsn: str, folder: Path) -> None:
    now = datetime.now(UTC)
    clock = FixedClock(now)
    yesterday = now.date() - timedelta(days=1)
    period = Period.last_days(DAYS, today=yesterday)
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        service = ExportService(
            ExportsRepository(pool, copy_timeout=COPY_TIMEOUT_SECONDS),
            EntitlementsService(PlansRepository(pool), clock, standing_counts={}),
            clock,
            work_dir=folder,
            max_file_bytes=2**62,
        )
        copy_path, export_path = folder / "copy.csv", folder / "export.csv"
        # After a bulk load the first reader pays for setting hint bits, and autovacuum would
        # soon compete with the measurements: vacuum now, which also warms the cache.
        await pool.execute("VACUUM (ANALYZE) posts, post_views, post_reaction_counts")

        copy_seconds, export_seconds = [], []
        for _ in range(ROUNDS):  # alternating, so a busy moment does not favour either
            start = time.perf_counter()
            copied = await copy_baseline(pool, copy_path, period, now)
            copy_seconds.append(time.perf_counter() - start)
            if not export_seconds:
                rss_before = peak_rss_mb()
            start = time.perf_counter()
            exported = await export(service, export_path, period)
            export_seconds.append(time.perf_counter() - start)
        rss_after = peak_rss_mb()
    finally:
        await pool.close()

    if exported != copied:
        raise SystemExit(f"the export wrote {exported:,} rows, COPY {copied:,}")
    print(f"{exported:,} post rows, {export_path.stat().st_size / 1e6:,.0f} MB of CSV")
    baseline, ours = min(copy_seconds), min(export_seconds)
    print(f"best of {ROUNDS} runs each")
    print(f"{'COPY (SELECT ...) TO STDOUT (baseline)':40} {baseline:7.2f} s   1.00x")
    print(f"{'export: formatted in SQL, COPY to file':40} {ours:7.2f} s   {ours / baseline:.2f}x")
    print(
        f"peak memory: {rss_after:,.0f} MB resident, "
        f"{rss_after - rss_before:+,.0f} MB from the export"
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        embedded = None
        dsn = os.environ.get("DATABASE_URL")
        if not dsn:
            embedded = EmbeddedPostgres(Path(folder) / "db")
            dsn = embedded.start()
            asyncio.run(tune_for_bulk_load(dsn))
        try:
            started = time.perf_counter()
            write_demo_data(dsn)
            print(f"demo data written in {time.perf_counter() - started:.0f} s")
            asyncio.run(measure(dsn, Path(folder)))
        finally:
            if embedded is not None:
                embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
