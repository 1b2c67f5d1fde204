"""The caller of one request: who, with which request id; and the audit helper that uses it."""

from __future__ import annotations

import msgspec

from backend.errors import NotFound
from backend.security.audit import AuditEntry, AuditLog, Outcome
from backend.security.principal import Principal
from backend.storage.postgres.pool import PgConn


class Caller(msgspec.Struct, frozen=True, kw_only=True):
    """The authenticated principal and the request id, handed to services."""

    principal: Principal
    request_id: str | None = None


class Auditor:
    """Writes audit rows on behalf of a caller."""

    def __init__(self, log: AuditLog, caller: Caller) -> None:
        self._log = log
        self.caller = caller

    async def record(
        self,
        conn: PgConn,
        action: str,
        *,
        object_type: str | None = None,
        object_id: str | None = None,
        org_path: str | None = None,
        outcome: Outcome = "ok",
        reason: str | None = None,
        details: dict[str, object] | None = None,
    ) -> int:
        """Append one row naming the caller; returns its sequence number."""
        return await self._append(
            conn, action, object_type, object_id, org_path, outcome, reason, details
        )

    async def outside(
        self,
        conn: PgConn,
        action: str,
        *,
        object_type: str,
        object_id: str,
        org_path: str | None,
        field: str,
        what: str | None = None,
        reason: str = "outside jurisdiction",
    ) -> NotFound:
        """Record that the caller reached for a record outside their jurisdiction (or another
        ``reason`` it is not theirs), and return the 404 to raise: the same answer as for an
        unknown id, so existence is not revealed. The row is written on ``conn``: keep it out of
        a transaction the 404 rolls back."""
        await self._append(conn, action, object_type, object_id, org_path, "denied", reason, None)
        return NotFound(f"no {what or object_type} {object_id}", field=field)

    async def _append(
        self,
        conn: PgConn,
        action: str,
        object_type: str | None,
        object_id: str | None,
        org_path: str | None,
        outcome: Outcome,
        reason: str | None,
        details: dict[str, object] | None,
    ) -> int:
        p = self.caller.principal
        return await self._log.append(
            conn,
            AuditEntry(
                action=action,
                outcome=outcome,
                actor_id=p.user_id,
                actor_name=p.username,
                object_type=object_type,
                object_id=object_id,
                org_path=org_path or p.org_path,
                reason=reason,
                request_id=self.caller.request_id,
                details=dict(details or {}),
            ),
        )
