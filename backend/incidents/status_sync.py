"""Responder status changes made inside a transaction, mirrored to the live index after commit.

PostgreSQL holds the truth (compare-and-set on ``responders.duty_status``); the Redis index and
the walls must follow, but only once the change has committed. Changes are collected per task
while the transaction runs and applied by :func:`committed` after it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar

from backend.positions.service import PositionService
from backend.storage.postgres.pool import PgConn, PgPool
from dispatch.models import DutyStatus

_pending: ContextVar[list[tuple[str, str]] | None] = ContextVar(
    "pending_status_changes", default=None
)


def note_change(responder_id: str, status: str) -> None:
    """Remember a committed-to-be status change of this task's transaction."""
    changes = _pending.get()
    if changes is not None:
        changes.append((responder_id, status))


@contextlib.asynccontextmanager
async def transaction(pool: PgPool, positions: PositionService) -> AsyncIterator[PgConn]:
    """A connection in a transaction; after it commits, the index and walls learn the new statuses."""
    changes: list[tuple[str, str]] = []
    token = _pending.set(changes)
    try:
        async with pool.acquire() as conn, conn.transaction():
            yield conn
    finally:
        _pending.reset(token)
    await apply(positions, changes)


async def apply(positions: PositionService, changes: list[tuple[str, str]]) -> None:
    """Mirror committed status changes (the last one per responder wins)."""
    latest = dict(changes)
    now = time.time()
    for responder_id, status in latest.items():
        await positions.announce_status(responder_id, DutyStatus(status), now)


@contextlib.contextmanager
def collecting() -> Iterator[list[tuple[str, str]]]:
    """Collect changes for a caller that manages its own transaction, then calls :func:`apply`."""
    changes: list[tuple[str, str]] = []
    token = _pending.set(changes)
    try:
        yield changes
    finally:
        _pending.reset(token)
