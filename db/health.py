"""A cheap round trip to the database."""

import asyncpg


async def ping(pool: asyncpg.Pool) -> bool:
    return await pool.fetchval("SELECT 1") == 1
