"""The sources report of a channel with 1,000,000 joins across 200 links, against a bare
GROUP BY over the same rows.

The report (db.sources.SOURCE_COUNTS_QUERY, what /links shows) counts per source the joins,
the leaves of those who joined through it (each leave tied to its join), and who stayed 7 and
30 days; the baseline only counts joins and leaves per source. The rows: 1,000,000 joins over
90 days, 80% through 200 links and the rest organic, each with a subscriber hash, loaded with
COPY; a fifth of them leave within 60 days. Uses DATABASE_URL's server (in a database of its
own, dropped after) or an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import bench_pool

from db.sources import SourcesRepository

CHANNEL_ID = -1001000000001
JOINS = 1_000_000
LINKS = 200
DAYS = 90
ROUNDS = 5
LOAD_TIMEOUT_SECONDS = 600  # the pool's statement timeout is for a bot's queries, not a load
NOW = datetime(2026, 12, 1, tzinfo=UTC)

BARE_GROUP_BY = """
SELECT source, invite_link_id,
       count(*) FILTER (WHERE kind = 'join') AS joins,
       count(*) FILTER (WHERE kind = 'leave') AS leaves
  FROM subscriber_events
 WHERE channel_id = $1
 GROUP BY source, invite_link_id
"""


async def load(pool: asyncpg.Pool) -> None:
    rng = random.Random(14)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL statement_timeout = '{LOAD_TIMEOUT_SECONDS}s'")
        await conn.execute(
            "INSERT INTO channels (id, title, username) VALUES ($1, 'Bench', 'bench')", CHANNEL_ID
        )
        await conn.copy_records_to_table(
            "invite_links",
            columns=("channel_id", "url", "name", "made_by_bot", "created_at"),
            records=[
                (CHANNEL_ID, f"https://t.me/+bench{n:04d}", f"Campaign {n}", True, NOW)
                for n in range(LINKS)
            ],
        )
        link_ids = [row["id"] for row in await conn.fetch("SELECT id FROM invite_links")]
        start = NOW - timedelta(days=DAYS)
        joins = []
        for _ in range(JOINS):
            link = rng.choice(link_ids) if rng.random() < 0.8 else None
            joins.append(
                (
                    CHANNEL_ID,
                    start + timedelta(seconds=rng.randrange(DAYS * 86400)),
                    "join",
                    "link" if link else "organic",
                    link,
                    rng.randbytes(32),
                )
            )
        await conn.copy_records_to_table(
            "subscriber_events",
            columns=(
                "channel_id",
                "occurred_at",
                "kind",
                "source",
                "invite_link_id",
                "subscriber_hash",
            ),
            records=joins,
            timeout=LOAD_TIMEOUT_SECONDS,
        )
        # A fifth leave, each tied to its join as ingestion ties them (ids are the table's own).
        await conn.execute(
            """
            INSERT INTO subscriber_events (channel_id, occurred_at, kind, source, invite_link_id,
                                           subscriber_hash, joined_event_id)
            SELECT channel_id,
                   least(occurred_at + (id % 60) * interval '1 day', $2::timestamptz),
                   'leave', source, invite_link_id, subscriber_hash, id
              FROM subscriber_events
             WHERE id % 5 = 0 AND channel_id = $1
            """,
            CHANNEL_ID,
            NOW,
            timeout=LOAD_TIMEOUT_SECONDS,
        )
    await pool.execute(
        "VACUUM (ANALYZE) subscriber_events, invite_links", timeout=LOAD_TIMEOUT_SECONDS
    )


async def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = await call()
    return time.perf_counter() - started, result


async def measure(pool: asyncpg.Pool) -> None:
    started = time.perf_counter()
    await load(pool)
    print(f"{JOINS:,} joins across {LINKS} links loaded in {time.perf_counter() - started:.0f} s")
    repository = SourcesRepository(pool)
    bare_seconds, report_seconds = [], []
    async with pool.acquire() as conn:
        await conn.execute("SET statement_timeout = '10min'")
        for _ in range(ROUNDS):  # alternating, so a busy moment does not favour either
            seconds, bare = await timed(lambda: conn.fetch(BARE_GROUP_BY, CHANNEL_ID))
            bare_seconds.append(seconds)
            seconds, report = await timed(
                lambda: repository.source_counts(channel_id=CHANNEL_ID, now=NOW)
            )
            report_seconds.append(seconds)
    joined = sum(row["joins"] for row in bare)
    counted = sum(source.joins for source in report)
    if joined != counted or len(report) != len(bare):
        raise SystemExit(
            f"the report counts {counted:,} joins in {len(report)} sources, "
            f"the GROUP BY {joined:,} in {len(bare)}"
        )
    baseline, ours = min(bare_seconds), min(report_seconds)
    print(f"best of {ROUNDS} runs each, {len(report)} sources")
    print(f"{'bare GROUP BY source (baseline)':44} {baseline:7.3f} s   1.00x")
    print(f"{'sources report: leaves tied, retention':44} {ours:7.3f} s   {ours / baseline:.2f}x")


async def main() -> int:
    async with bench_pool("analyticbot_bench_sources", max_size=2) as pool:
        await measure(pool)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
