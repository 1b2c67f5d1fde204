"""The relay: committed outbox rows → Redis Streams, by one leader at a time.

Every node runs a relay; a PostgreSQL advisory lock (held on a dedicated connection) makes one
of them the leader, so events keep their order. The leader wakes on ``NOTIFY pingan_outbox`` and
also polls. A batch is marked published only after Redis accepted it; if Redis is down the rows
wait and flow when it returns. A crash between the two (or losing the mark, which commits
without waiting for its fsync) can publish a row twice under a new seq: clients de-duplicate by
event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from redis.exceptions import RedisError

from backend.realtime.streams import EventStreams
from backend.storage.postgres.pool import init_connection

log = logging.getLogger("pingan.relay")
RELAY_LOCK_KEY = 0x72656C6179  # "relay"
BATCH = 500


class Relay:
    """Publishes the outbox; start with :meth:`run` as a background task."""

    def __init__(
        self,
        dsn: str,
        streams: EventStreams,
        *,
        poll_s: float = 0.5,
        on_published: Callable[[list[Any]], Awaitable[None]] | None = None,
    ) -> None:
        self._on_published = on_published
        self._dsn = dsn
        self._streams = streams
        self._poll_s = poll_s
        self._wake = asyncio.Event()
        self.is_leader = False
        self.published = 0

    async def run(self) -> None:
        """Forever: become leader when possible, then publish; survive database and Redis outages."""
        while True:
            try:
                await self._lead()
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning(
                    "relay lost its database connection; retrying",
                    extra={"error": type(exc).__name__},
                )
            self.is_leader = False
            await asyncio.sleep(1.0)

    async def _lead(self) -> None:
        conn = await asyncpg.connect(self._dsn)
        await init_connection(conn)
        try:
            # Polling is the only way to wait for an advisory lock without blocking a connection.
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK_KEY):  # noqa: ASYNC110
                await asyncio.sleep(2.0)
            self.is_leader = True
            log.info("relay is leader")
            await conn.add_listener("pingan_outbox", self._on_notify)
            while True:
                moved = await self._publish_batch(conn)
                if moved < BATCH:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._poll_s)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    async def _publish_batch(self, conn: Any) -> int:
        async with conn.transaction():
            # The mark need not wait for its fsync: were it lost in a crash, the rows would only
            # be published again, which clients de-duplicate by id. The leader's next batch then
            # never queues behind the disk (a rare fsync here takes 20 ms).
            await conn.execute("SET LOCAL synchronous_commit TO off")
            rows = await conn.fetch(
                """
                SELECT id, district, stream, kind, org_path, subject, payload, created_at
                FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
                """,
                BATCH,
            )
            if not rows:
                return 0
            try:
                seqs = await self._streams.publish(rows)
            except (RedisError, OSError) as exc:
                log.warning(
                    "redis unavailable; events wait in the outbox",
                    extra={"error": type(exc).__name__, "waiting": len(rows)},
                )
                await asyncio.sleep(self._poll_s)
                return 0
            await conn.execute(
                """
                UPDATE outbox SET published_at = now(), seq = m.seq
                FROM unnest($1::bigint[], $2::bigint[]) AS m(id, seq) WHERE outbox.id = m.id
                """,
                [r["id"] for r in rows],
                seqs,
            )
        self.published += len(rows)
        if self._on_published is not None:
            try:  # after the commit: a push must never hold up or undo the publishing
                await self._on_published(list(rows))
            except Exception as exc:
                log.warning("after-publish hook failed", extra={"error": type(exc).__name__})
        return len(rows)
