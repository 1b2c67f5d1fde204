"""``GET /api/coverage/gaps``: thin, checks the input and the jurisdiction; services compute."""

from __future__ import annotations

import time
from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.api.coverage.schemas import CoverageGaps
from backend.api.coverage.services import CoverageCache, Rule, compute_gaps
from backend.api.kpi.controllers import Unit, scope_of
from backend.errors import ApiError
from backend.positions.service import PositionService
from backend.security.context import Caller
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool
from dispatch.errors import DispatchError
from dispatch.models import Capability

# The high-risk playbook (playbooks/library/public_safety_high_risk.yaml) alerts police first
# ("公安先行"); medical staff follow only once police have accepted. So police is who must be
# near; the caller may widen it (e.g. police,ambulance: any one of them counts).
DEFAULT_CAPABILITIES = "police"


def parse_capabilities(text: str) -> tuple[Capability, ...]:
    """A comma-separated list of capabilities, each known (else 400 naming ``capability``)."""
    names = [n for n in (p.strip() for p in text.split(",")) if n]
    if not names:
        raise ApiError("capability must name at least one capability", field="capability")
    try:
        return tuple(dict.fromkeys(Capability(n) for n in names))
    except ValueError:
        known = ", ".join(c.value for c in Capability)
        raise ApiError(
            f"capability must be one or more of: {known}", field="capability", code="invalid"
        ) from None


class CoverageController(Controller):
    """Where high-risk patients live beyond the reach of anyone who could help in time."""

    path = "/api/coverage"
    tags = ["coverage"]  # noqa: RUF012

    @get(
        "/gaps",
        opt=needs(Permission.MAP_READ),
        summary="Grids with high-risk patients and nobody qualified within the travel time",
    )
    async def gaps(
        self,
        state: State,
        pool: NamedDependency[PgPool],
        caller: NamedDependency[Caller],
        coverage_cache: NamedDependency[CoverageCache],
        minutes: Annotated[int, QueryParameter(ge=1, le=60)] = 10,
        capability: Annotated[
            str, QueryParameter(max_length=200, pattern=r"^[a-z_,]+$")
        ] = DEFAULT_CAPABILITIES,
        min_risk_grade: Annotated[int, QueryParameter(ge=1, le=5)] = 3,
        unit: Unit = None,
    ) -> CoverageGaps:
        """A grid is a gap when it holds patients of risk grade >= ``min_risk_grade`` (default
        3) and no *available* responder holding one of ``capability`` (default police) has an
        ETA to the grid's centre within ``minutes`` (default 10). Counts and ETAs only."""
        rule = Rule(
            minutes=minutes,
            capabilities=parse_capabilities(capability),
            min_risk_grade=min_risk_grade,
        )
        scope = await scope_of(pool, state, caller, unit)
        positions: PositionService = state.positions

        async def compute() -> CoverageGaps:
            async with pool.acquire() as conn:
                return await compute_gaps(conn, positions.index, scope, rule, time.time())

        try:
            return await coverage_cache.get((scope, rule), compute)
        except DispatchError as exc:
            raise ApiError(
                f"the position index is unavailable: {exc}", code="unavailable", status_code=503
            ) from None
