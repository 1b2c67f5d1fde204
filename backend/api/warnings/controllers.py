"""``/api/warnings``: the early warnings of the caller's jurisdiction, and taking one in hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.early_warning import store
from backend.early_warning.models import (
    Rule,
    UnitWarningPage,
    WarningAck,
    WarningPage,
    WarningView,
)
from backend.early_warning.visibility import READERS, visible_rules
from backend.errors import NotFound
from backend.followups.coverage import high_risk_per_unit
from backend.followups.policy import FollowUpPolicy
from backend.security.context import Auditor, Caller
from backend.security.guards import needs, needs_any
from backend.security.policy import Permission
from backend.security.principal import Principal
from backend.storage.postgres.pool import PgPool


def _rules(principal: Principal) -> list[str] | None:
    rules = visible_rules(principal)
    return None if rules is None else sorted(rules)


class WarningController(Controller):
    """Findings of the early-warning rules (预警)."""

    path = "/api/warnings"
    tags = ["warnings"]  # noqa: RUF012

    @get(
        "/",
        opt=needs_any(*READERS),
        summary="Warnings in your jurisdiction",
    )
    async def list_warnings(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        # "state" is a name Litestar keeps for the app state; the query string still says state.
        in_state: Annotated[
            Literal["live", "open", "acknowledged", "resolved"], QueryParameter(name="state")
        ] = "live",
        rule: Annotated[Rule | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> WarningPage:
        """``live`` (open and acknowledged) by default: serious first, then newest. Subjects are
        named by id only; the totals count every live warning of the jurisdiction."""
        async with pool.acquire() as conn:
            return await store.list_warnings(
                conn,
                caller.principal.org_path,
                state=in_state,
                rule=rule,
                limit=limit,
                rules=_rules(caller.principal),
            )

    @get(
        "/units",
        opt=needs(Permission.PATIENT_READ),
        summary="Live warnings per street, community or grid of your jurisdiction",
    )
    async def per_unit(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        follow_up_policy: NamedDependency[FollowUpPolicy],
        level: Annotated[Literal["street", "community", "grid"], QueryParameter()] = "community",
    ) -> UnitWarningPage:
        """Every unit of the level, zero included; those with serious warnings first. Each unit
        also says how many high-risk patients the overdue rule watches there and how many of
        them are past due now."""
        scope = caller.principal.org_path
        async with pool.acquire() as conn:
            coverage = await high_risk_per_unit(
                conn, follow_up_policy, scope, level, datetime.now(UTC)
            )
            return await store.per_unit(conn, scope, level, coverage)

    @post(
        "/{warning_id:str}/acknowledge",
        opt=needs(Permission.WARNING_HANDLE),
        status_code=200,
        summary="Take an open warning in hand",
    )
    async def acknowledge(
        self,
        warning_id: FromPath[str],
        data: JSONBody[WarningAck],
        pool: NamedDependency[PgPool],
        auditor: NamedDependency[Auditor],
    ) -> WarningView:
        """Say who handles it and how; the jurisdiction and the care team see it at once. 409
        when it is not open (taken already, or resolved)."""
        # A str in the route, so a wrong id is refused after the token check, never before.
        digits = warning_id.isascii() and warning_id.isdigit() and len(warning_id) <= 19
        number = int(warning_id) if digits else 0
        if not 0 < number < 2**63:  # not an id, or beyond bigint: no such warning
            raise NotFound(f"no warning {warning_id}")
        async with pool.acquire() as conn, conn.transaction():
            rules = _rules(auditor.caller.principal)
            return await store.acknowledge(conn, auditor, number, data.note, rules)
