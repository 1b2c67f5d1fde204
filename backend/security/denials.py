"""Refusing a record outside the caller's jurisdiction: audited, and answered as 'not found'."""

from __future__ import annotations

from backend.errors import NotFound
from backend.security.audit import AuditEntry, AuditLog
from backend.security.context import Caller
from backend.storage.postgres.pool import PgPool


async def deny(
    pool: PgPool,
    audit: AuditLog,
    caller: Caller,
    object_type: str,
    object_id: str,
    org_path: str | None,
) -> NotFound:
    """Write the ``denied`` audit row and return the 404 to raise (existence is not revealed).

    The row is written on a connection of its own: the caller's transaction is about to roll
    back with the 404, and the denial must stay on record.
    """
    p = caller.principal
    async with pool.acquire() as conn:
        await audit.append(
            conn,
            AuditEntry(
                action=f"{object_type}.read",
                outcome="denied",
                actor_id=p.user_id,
                actor_name=p.username,
                object_type=object_type,
                object_id=object_id[:128],
                org_path=org_path,
                reason="outside jurisdiction",
                request_id=caller.request_id,
            ),
        )
    return NotFound(f"no {object_type} {object_id}")
