"""``/api/map``: the one map's counts per H3 cell and per org unit, and its drill-down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from backend.api.map import drilldown, services
from backend.api.map.schemas import (
    BuildingPage,
    CellCounts,
    HousePage,
    Layer,
    Level,
    UnitCounts,
)
from backend.api.time_window import check_window
from backend.errors import ApiError
from backend.security.context import Caller
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgPool

Key = Annotated[str | None, QueryParameter(max_length=40, pattern=r"^[a-z0-9_]+$")]
Bbox = Annotated[str | None, QueryParameter(max_length=100, pattern=r"^-?[0-9.]+(,-?[0-9.]+){3}$")]
Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` in degrees, checked."""
    if text is None:
        return None
    try:
        w, s, e, n = (float(x) for x in text.split(","))
    except ValueError:
        raise ApiError("bbox must be four numbers: west,south,east,north", field="bbox") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise ApiError(
            "bbox must be west,south,east,north with west<east, south<north", field="bbox"
        )
    return w, s, e, n


def window_of(
    layer: Layer, since: datetime | None, until: datetime | None
) -> services.Window | None:
    """The events layer's window: default the 30 days before now."""
    check_window(since, until)
    if layer != "events":
        return None
    end = until or datetime.now(UTC)
    return services.Window(since or end - timedelta(days=30), end)


class MapController(Controller):
    """Counts for the one map; never identities."""

    path = "/api/map"
    tags = ["map"]  # noqa: RUF012

    @get("/cells", opt=needs(Permission.MAP_READ), summary="Counts per H3 cell of a layer")
    async def cells(
        self,
        caller: NamedDependency[Caller],
        pool: NamedDependency[PgPool],
        layer: FromQuery[Layer],
        res: Annotated[int, QueryParameter(ge=7, le=9)] = 8,
        key: Key = None,
        bbox: Bbox = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> CellCounts:
        """``key`` narrows a layer (a risk grade, rental grade, tag, event type, place kind)."""
        box = parse_bbox(bbox)
        window = window_of(layer, since, until)
        async with pool.acquire() as conn:
            cells = await services.cell_counts(
                conn, caller.principal.org_path, layer, res=res, key=key, bbox=box, window=window
            )
        return CellCounts(
            layer=layer,
            key=key,
            res=res,
            cells=cells,
            suppressed_cells=sum(c.suppressed for c in cells),
        )

    @get("/units", opt=needs(Permission.MAP_READ), summary="Counts per org unit of a layer")
    async def units(
        self,
        caller: NamedDependency[Caller],
        pool: NamedDependency[PgPool],
        layer: FromQuery[Layer],
        level: FromQuery[Level] = "street",
        key: Key = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> UnitCounts:
        """Every unit of ``level`` in your jurisdiction, zero included."""
        window = window_of(layer, since, until)
        async with pool.acquire() as conn:
            units = await services.unit_counts(
                conn, caller.principal.org_path, layer, level=level, key=key, window=window
            )
        return UnitCounts(layer=layer, key=key, level=level, units=units)

    @get(
        "/cells/{cell:str}/buildings",
        opt=needs(Permission.MAP_READ),
        summary="Buildings in an H3 cell",
    )
    async def cell_buildings(
        self,
        cell: FromPath[str],
        caller: NamedDependency[Caller],
        pool: NamedDependency[PgPool],
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> BuildingPage:
        """Only buildings inside your jurisdiction."""
        async with pool.acquire() as conn:
            items = await drilldown.buildings_in_cell(
                conn, caller.principal, cell, limit=limit, offset=offset
            )
        return BuildingPage(items=items)

    @get(
        "/units/{path:str}/buildings",
        opt=needs(Permission.MAP_READ),
        summary="Buildings in an org unit",
    )
    async def unit_buildings(
        self,
        path: FromPath[str],
        caller: NamedDependency[Caller],
        pool: NamedDependency[PgPool],
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> BuildingPage:
        """404 for a unit outside your jurisdiction."""
        async with pool.acquire() as conn:
            items = await drilldown.buildings_in_unit(
                conn, caller.principal, path, limit=limit, offset=offset
            )
        return BuildingPage(items=items)

    @get(
        "/buildings/{building_id:str}/houses",
        opt=needs(Permission.MAP_READ),
        summary="Houses of a building, with resident counts",
    )
    async def building_houses(
        self,
        building_id: FromPath[str],
        caller: NamedDependency[Caller],
        pool: NamedDependency[PgPool],
    ) -> HousePage:
        """Residents themselves: ``/api/persons?address_id=`` (masked, audited)."""
        async with pool.acquire() as conn:
            items = await drilldown.houses_of(conn, caller.principal, building_id)
        return HousePage(building_id=building_id, items=items)
