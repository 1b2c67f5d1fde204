"""``GET /api/audit``: the audit trail for auditors, filtered and paginated, within jurisdiction."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from backend.api.time_window import check_window
from backend.security.audit import AuditRow
from backend.security.context import Auditor, Caller
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool


class AuditPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of audit rows, newest first; pass ``next_before`` as ``before`` for the next."""

    items: list[AuditRow]
    next_before: int | None


class AuditController(Controller):
    """Read the audit trail (reading it is itself audited)."""

    path = "/api/audit"
    tags = ["audit"]  # noqa: RUF012

    @get("/", opt=needs(Permission.AUDIT_READ), summary="Audit rows, newest first")
    async def list_audit(
        self,
        caller: NamedDependency[Caller],
        auditor: NamedDependency[Auditor],
        pool: NamedDependency[PgPool],
        action: Annotated[
            str | None, QueryParameter(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
        ] = None,
        actor_id: Annotated[
            str | None, QueryParameter(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
        ] = None,
        object_type: Annotated[
            str | None, QueryParameter(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
        ] = None,
        object_id: Annotated[
            str | None, QueryParameter(max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
        ] = None,
        outcome: Annotated[str | None, QueryParameter(pattern="^(ok|denied|failed)$")] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        before: Annotated[int | None, QueryParameter(ge=1)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> AuditPage:
        """Filter by action, actor, object, outcome and time; rows outside the jurisdiction are never shown."""
        check_window(since, until)
        org = caller.principal.org_path
        clauses = ["(org_path = $1 OR org_path LIKE $1 || '.%' OR (org_path IS NULL AND $2))"]
        args: list[Any] = [org, "." not in org]  # rows with no unit are for district-level auditors
        for column, value in (
            ("action", action),
            ("actor_id::text", actor_id),
            ("object_type", object_type),
            ("object_id", object_id),
            ("outcome", outcome),
        ):
            if value is not None:
                args.append(value)
                clauses.append(f"{column} = ${len(args)}")
        ranges: tuple[tuple[str, object], ...] = (
            ("at >=", since),
            ("at <", until),
            ("seq <", before),
        )
        for condition, bound in ranges:
            if bound is not None:
                args.append(bound)
                clauses.append(f"{condition} ${len(args)}")
        args.append(limit + 1)
        sql = (
            "SELECT seq, at, action, outcome, actor_id::text AS actor_id, actor_name, object_type, object_id, "
            f"org_path, reason, request_id, details FROM audit_log WHERE {' AND '.join(clauses)} "
            f"ORDER BY seq DESC LIMIT ${len(args)}"
        )
        async with pool.acquire() as conn:
            rows = await conn.fetch(sql, *args)
            await auditor.record(
                conn,
                "audit.read",
                details={
                    "filters": {
                        "action": action,
                        "object_type": object_type,
                        "object_id": object_id,
                        "outcome": outcome,
                    }
                },
            )
        items = [msgspec.convert(dict(r), AuditRow) for r in rows[:limit]]
        return AuditPage(items=items, next_before=items[-1].seq if len(rows) > limit else None)
