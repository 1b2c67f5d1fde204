"""``/api/governance``: the leaders' one table of outstanding governance work per unit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.governance.overview import GovernanceOverview, overview
from backend.security.context import Caller
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool


class GovernanceController(Controller):
    """The governance overview."""

    path = "/api/governance"
    tags = ["governance"]  # noqa: RUF012

    @get(
        "/units",
        opt=needs(Permission.KPI_READ),
        summary="Each unit's outstanding work: warnings, ledgers, rental houses, disputes",
    )
    async def units(
        self,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        level: Annotated[Literal["street", "community", "grid"], QueryParameter()] = "street",
    ) -> GovernanceOverview:
        """Every unit of the level in your jurisdiction, zero included, and your total; the
        services you may not read are null."""
        async with pool.acquire() as conn:
            return await overview(conn, caller.principal, level, datetime.now(UTC))
