"""``/api/kpi``: today's figures (the wall), trends per street or community and SLA heat per H3
cell (the leader view). Thin: checks the input and the jurisdiction, the queries do the work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from backend.api.time_window import check_window
from backend.errors import ApiError, NotFound
from backend.kpi import queries
from backend.kpi.buckets import day_start, default_window
from backend.kpi.models import Bucket, KpiTrends, SlaCells, TodayKpis, UnitLevel
from backend.security.context import Caller
from backend.security.denials import deny
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool

Unit = Annotated[
    str | None, QueryParameter(max_length=64, pattern=r"^[0-9]+(\.[0-9]+)*$", required=False)
]
SLA_DEFAULT_DAYS = 30


async def scope_of(pool: PgPool, state: State, caller: Caller, unit: str | None) -> str:
    """The jurisdiction to compute for: the caller's, or ``unit`` inside it (else 404, audited)."""
    own = caller.principal.org_path
    if unit is None:
        return own
    async with pool.acquire() as conn:
        exists = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM org_units WHERE path = $1)", unit
        )
    if not exists:
        raise NotFound(f"no org unit {unit}", field="unit")
    if not caller.principal.covers(unit):
        res = state.resources
        raise await deny(res.pool, res.audit, caller, "org_unit", unit, unit)
    return unit


class KpiController(Controller):
    """KPIs, scoped to the caller's jurisdiction (or a unit inside it)."""

    path = "/api/kpi"
    tags = ["kpi"]  # noqa: RUF012

    @get("/today", opt=needs(Permission.INCIDENT_READ), summary="Today's KPIs (the wall)")
    async def today(
        self,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        unit: Unit = None,
    ) -> TodayKpis:
        """Since local midnight: opened, closed, time to alert/accept/arrive p50 and p90, and
        responders on duty by capability."""
        scope = await scope_of(pool, state, caller, unit)
        now = datetime.now(UTC)
        async with pool.acquire() as conn:
            return await queries.today(conn, scope, start=day_start(now), now=now)

    @get("/trends", opt=needs(Permission.KPI_READ), summary="KPI trends per street or community")
    async def trends(
        self,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        bucket: FromQuery[Bucket] = "day",
        level: FromQuery[UnitLevel] = "street",
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        unit: Unit = None,
    ) -> KpiTrends:
        """Buckets of a day or an ISO week (local time), oldest first, empty ones as zeros;
        default the last 14 days or 8 weeks."""
        check_window(since, until)
        scope = await scope_of(pool, state, caller, unit)
        now = datetime.now(UTC)
        first, last = default_window(now, bucket)
        try:
            async with pool.acquire() as conn:
                return await queries.trends(
                    conn,
                    scope,
                    bucket=bucket,
                    level=level,
                    since=since or first,
                    until=until or last,
                )
        except ValueError as exc:
            raise ApiError(str(exc), field="since") from None

    @get("/sla-cells", opt=needs(Permission.KPI_READ), summary="SLA heat per H3 cell")
    async def sla_cells(
        self,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        res: Annotated[int, QueryParameter(ge=6, le=9)] = 8,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        unit: Unit = None,
    ) -> SlaCells:
        """Time to accept and to arrive (p50, p90) of incidents opened in each cell; default
        window the last 30 days."""
        check_window(since, until)
        scope = await scope_of(pool, state, caller, unit)
        end = until or datetime.now(UTC)
        start = since or end - timedelta(days=SLA_DEFAULT_DAYS)
        if end <= start:
            raise ApiError("until must be after since", field="until")
        async with pool.acquire() as conn:
            return await queries.sla_cells(conn, scope, res=res, since=start, until=end)
