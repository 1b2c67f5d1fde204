"""The caller of one request: who, with which request id; and the audit helper that uses it."""

from __future__ import annotations

import msgspec

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
