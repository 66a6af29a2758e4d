"""Webhook endpoints, the outbox of messages to them, and the delivery log.

`publish` is what the places where things happen call, inside their own transaction: an
event becomes one message per enabled endpoint that wants it, or nothing when none does.
"""

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from db.errors import NotFound
from db.repository import Repository, found, record_from
from services.domain.webhooks import (
    ClaimedEndpoint,
    DeliveryAttempt,
    DisabledEndpoint,
    PendingMessage,
    WebhookEndpointRecord,
    WebhookEvent,
    WebhookEventType,
)

_ENDPOINT_COLUMNS = (
    "e.id, e.owner_id, e.url, e.events, e.created_at, e.disabled_at, e.disabled_reason"
)


def _endpoint(row: asyncpg.Record) -> WebhookEndpointRecord:
    events = tuple(WebhookEventType(e) for e in row["events"] if e in set(WebhookEventType))
    return record_from(WebhookEndpointRecord, row, events=events)


async def publish(conn: asyncpg.Connection | asyncpg.Pool, events: Sequence[WebhookEvent]) -> int:
    """Queue each event for every enabled endpoint subscribed to it: the endpoints of its user,
    or of the admins of its channel. Returns how many messages were queued."""
    if not events:
        return 0
    queued = await conn.fetchval(
        """
        WITH queued AS (
            INSERT INTO webhook_messages (endpoint_id, webhook_id, event_type, body)
            SELECT e.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), t.type, t.body
              FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])
                   WITH ORDINALITY AS t(type, channel_id, user_id, body, ord)
              JOIN webhook_endpoints e
                ON e.disabled_at IS NULL AND t.type = ANY(e.events)
               AND (e.owner_id = t.user_id
                    OR e.owner_id IN (SELECT a.user_id FROM channel_admins a
                                       WHERE a.channel_id = t.channel_id))
             ORDER BY t.ord, e.id  -- ids follow the events' order
            RETURNING 1
        )
        SELECT count(*) FROM queued
        """,
        [event.type.value for event in events],
        [event.channel_id for event in events],
        [event.user_id for event in events],
        [event.body() for event in events],
    )
    return queued


class WebhookEndpointsRepository(Repository):
    async def create(
        self, *, owner_id: int, url: str, events: Sequence[str], secret: str
    ) -> WebhookEndpointRecord:
        row = await self._pool.fetchrow(
            f"""
            INSERT INTO webhook_endpoints AS e (owner_id, url, events, secret)
            VALUES ($1, $2, $3, $4)
            RETURNING {_ENDPOINT_COLUMNS}, 0 AS pending
            """,
            owner_id,
            url,
            list(events),
            secret,
        )
        return _endpoint(row)

    async def list_for_owner(self, *, owner_id: int) -> list[WebhookEndpointRecord]:
        rows = await self._pool.fetch(
            f"""
            SELECT {_ENDPOINT_COLUMNS},
                   (SELECT count(*) FROM webhook_messages m
                     WHERE m.endpoint_id = e.id AND m.delivered_at IS NULL) AS pending
              FROM webhook_endpoints e WHERE e.owner_id = $1 ORDER BY e.id
            """,
            owner_id,
        )
        return [_endpoint(row) for row in rows]

    async def get(self, *, owner_id: int, endpoint_id: int) -> WebhookEndpointRecord:
        """The owner's endpoint; NotFound for anyone else's."""
        row = await self._pool.fetchrow(
            f"""
            SELECT {_ENDPOINT_COLUMNS},
                   (SELECT count(*) FROM webhook_messages m
                     WHERE m.endpoint_id = e.id AND m.delivered_at IS NULL) AS pending
              FROM webhook_endpoints e WHERE e.id = $1 AND e.owner_id = $2
            """,
            endpoint_id,
            owner_id,
        )
        return _endpoint(found(row, f"webhook endpoint {endpoint_id}"))

    async def count_for_owner(self, user_id: int) -> int:
        return await self._pool.fetchval(
            "SELECT count(*) FROM webhook_endpoints WHERE owner_id = $1", user_id
        )

    async def delete(self, *, owner_id: int, endpoint_id: int) -> None:
        """Delete the endpoint with its messages and log; NotFound if it is not the owner's."""
        deleted = await self._pool.fetchval(
            "DELETE FROM webhook_endpoints WHERE id = $1 AND owner_id = $2 RETURNING true",
            endpoint_id,
            owner_id,
        )
        if not deleted:
            raise NotFound(f"webhook endpoint {endpoint_id}")

    async def enable(self, *, owner_id: int, endpoint_id: int) -> None:
        """Deliver again, from the message that was failing; its backoff starts afresh."""
        async with self._pool.acquire() as conn, conn.transaction():
            enabled = await conn.fetchval(
                """
                UPDATE webhook_endpoints
                   SET disabled_at = NULL, disabled_reason = NULL, owner_told_at = NULL,
                       claimed_until = NULL
                 WHERE id = $1 AND owner_id = $2
                RETURNING true
                """,
                endpoint_id,
                owner_id,
            )
            if not enabled:
                raise NotFound(f"webhook endpoint {endpoint_id}")
            await conn.execute(
                """
                UPDATE webhook_messages
                   SET first_failed_at = NULL, next_attempt_at = '-infinity', attempts = 0
                 WHERE endpoint_id = $1 AND delivered_at IS NULL
                """,
                endpoint_id,
            )

    async def queue_ping(self, *, owner_id: int, endpoint_id: int, event: WebhookEvent) -> None:
        """Queue a ping for this endpoint alone, behind what it is already due."""
        queued = await self._pool.fetchval(
            """
            INSERT INTO webhook_messages (endpoint_id, webhook_id, event_type, body)
            SELECT e.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), $3, $4
              FROM webhook_endpoints e WHERE e.id = $1 AND e.owner_id = $2
            RETURNING true
            """,
            endpoint_id,
            owner_id,
            event.type.value,
            event.body(),
        )
        if not queued:
            raise NotFound(f"webhook endpoint {endpoint_id}")

    async def attempts(
        self, *, owner_id: int, endpoint_id: int, limit: int
    ) -> list[DeliveryAttempt]:
        """The endpoint's latest delivery attempts, newest first."""
        return await self._fetch_records(
            DeliveryAttempt,
            """
            SELECT a.id, m.webhook_id, m.event_type, a.attempted_at, a.status_code,
                   a.latency_ms, a.error, a.succeeded
              FROM webhook_attempts a
              JOIN webhook_messages m ON m.id = a.message_id
              JOIN webhook_endpoints e ON e.id = a.endpoint_id
             WHERE a.endpoint_id = $1 AND e.owner_id = $2
             ORDER BY a.id DESC
             LIMIT $3
            """,
            endpoint_id,
            owner_id,
            limit,
        )


class WebhookOutboxRepository(Repository):
    async def claim_endpoints(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedEndpoint]:
        """Lease enabled endpoints whose oldest undelivered message is due.

        FOR UPDATE SKIP LOCKED lets several processes claim at once, each taking endpoints the
        others have not; the lease is committed at once, so no transaction stays open while the
        receiver is called, and a process that dies leaves its endpoints to others when the
        lease runs out. An endpoint is one process's at a time: its messages go in order.
        """
        return await self._fetch_records(
            ClaimedEndpoint,
            """
            WITH due AS (
                SELECT e.id, head.next_attempt_at
                  FROM webhook_endpoints e
                  JOIN LATERAL (
                       SELECT m.next_attempt_at FROM webhook_messages m
                        WHERE m.endpoint_id = e.id AND m.delivered_at IS NULL
                        ORDER BY m.id LIMIT 1
                  ) head ON head.next_attempt_at <= $1
                 WHERE e.disabled_at IS NULL
                   AND (e.claimed_until IS NULL OR e.claimed_until <= $1)
                 ORDER BY head.next_attempt_at, e.id
                 LIMIT $3
                 FOR UPDATE OF e SKIP LOCKED
            )
            UPDATE webhook_endpoints e SET claimed_until = $2 FROM due WHERE e.id = due.id
            RETURNING e.id, e.owner_id, e.url, e.secret
            """,
            now,
            lease_until,
            limit,
        )

    async def due_messages(
        self, *, endpoint_id: int, now: datetime, limit: int
    ) -> list[PendingMessage]:
        """The endpoint's oldest undelivered messages, in order, if the oldest is due (none
        otherwise): nothing after it goes before it does. Only the oldest can have failed."""
        return await self._fetch_records(
            PendingMessage,
            """
            WITH pending AS (
                SELECT id, endpoint_id, webhook_id, event_type, body, next_attempt_at,
                       attempts, first_failed_at
                  FROM webhook_messages
                 WHERE endpoint_id = $1 AND delivered_at IS NULL
                 ORDER BY id LIMIT $3
            )
            SELECT * FROM pending
             WHERE (SELECT next_attempt_at FROM pending ORDER BY id LIMIT 1) <= $2
             ORDER BY id
            """,
            endpoint_id,
            now,
            limit,
        )

    async def record_delivered(
        self, *, message: PendingMessage, at: datetime, status_code: int, latency_ms: int
    ) -> None:
        """Mark the message delivered and log the attempt, in one statement."""
        await self._pool.execute(
            """
            WITH delivered AS (
                UPDATE webhook_messages SET delivered_at = $3, attempts = attempts + 1
                 WHERE id = $1
            )
            INSERT INTO webhook_attempts
                   (message_id, endpoint_id, attempted_at, status_code, latency_ms, succeeded)
            VALUES ($1, $2, $3, $4, $5, true)
            """,
            message.id,
            message.endpoint_id,
            at,
            status_code,
            latency_ms,
        )

    async def record_failed(
        self,
        *,
        message: PendingMessage,
        at: datetime,
        status_code: int | None,
        latency_ms: int,
        error: str,
        retry_at: datetime | None,
    ) -> None:
        """Log a failed attempt; retry at retry_at, or (None) disable the endpoint."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """
                UPDATE webhook_messages
                   SET attempts = attempts + 1, first_failed_at = coalesce(first_failed_at, $2),
                       next_attempt_at = coalesce($3, next_attempt_at)
                 WHERE id = $1
                """,
                message.id,
                at,
                retry_at,
            )
            await conn.execute(
                """
                INSERT INTO webhook_attempts (message_id, endpoint_id, attempted_at, status_code,
                                              latency_ms, error, succeeded)
                VALUES ($1, $2, $3, $4, $5, $6, false)
                """,
                message.id,
                message.endpoint_id,
                at,
                status_code,
                latency_ms,
                error,
            )
            if retry_at is None:
                await conn.execute(
                    """
                    UPDATE webhook_endpoints
                       SET disabled_at = $2, disabled_reason = $3, claimed_until = NULL
                     WHERE id = $1
                    """,
                    message.endpoint_id,
                    at,
                    error,
                )

    async def release(self, *, endpoint_ids: Sequence[int]) -> None:
        await self._pool.execute(
            "UPDATE webhook_endpoints SET claimed_until = NULL WHERE id = ANY($1::bigint[])",
            list(endpoint_ids),
        )

    async def claim_disabled_untold(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> list[DisabledEndpoint]:
        """Lease endpoints disabled for failing whose owner has not been told yet."""
        return await self._fetch_records(
            DisabledEndpoint,
            """
            WITH due AS (
                SELECT e.id FROM webhook_endpoints e
                 WHERE e.disabled_at IS NOT NULL AND e.owner_told_at IS NULL
                   AND (e.claimed_until IS NULL OR e.claimed_until <= $1)
                 ORDER BY e.id LIMIT $3
                 FOR UPDATE SKIP LOCKED
            ),
            claimed AS (
                UPDATE webhook_endpoints e SET claimed_until = $2 FROM due WHERE e.id = due.id
                RETURNING e.id, e.owner_id, e.url, e.disabled_reason
            )
            SELECT c.id, c.owner_id, c.url, c.disabled_reason AS reason,
                   u.language_code, u.chosen_language
              FROM claimed c JOIN users u ON u.id = c.owner_id
             ORDER BY c.id
            """,
            now,
            lease_until,
            limit,
        )

    async def mark_owner_told(self, *, endpoint_id: int, at: datetime) -> None:
        await self._pool.execute(
            """
            UPDATE webhook_endpoints SET owner_told_at = $2, claimed_until = NULL
             WHERE id = $1 AND disabled_at IS NOT NULL
            """,
            endpoint_id,
            at,
        )

    async def prune_delivered(self, *, before: datetime) -> int:
        """Forget messages delivered before then, with their attempts; returns how many."""
        deleted = await self._pool.fetchval(
            """
            WITH deleted AS (
                DELETE FROM webhook_messages WHERE delivered_at < $1 RETURNING 1
            )
            SELECT count(*) FROM deleted
            """,
            before,
        )
        return deleted
