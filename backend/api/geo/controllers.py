"""``/api/geo``: the jurisdiction tree as GeoJSON, within the caller's jurisdiction."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from msgspec import Meta

from backend.errors import NotFound
from backend.security.context import Caller
from backend.security.guards import needs
from backend.security.policy import Permission
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgPool

Level = Literal["district", "street", "community", "grid"]


class UnitProperties(msgspec.Struct, frozen=True, kw_only=True):
    """What the map needs to label and drill into a unit."""

    path: str
    level: Level
    name_zh: str
    name_en: str
    parent_path: str | None


class UnitFeature(msgspec.Struct, frozen=True, kw_only=True):
    """An org unit with its boundary."""

    properties: UnitProperties
    geometry: dict[str, Any] | None
    type: str = "Feature"


class UnitCollection(msgspec.Struct, frozen=True, kw_only=True):
    """A GeoJSON FeatureCollection of org units."""

    features: list[UnitFeature]
    type: str = "FeatureCollection"


class Bounds(msgspec.Struct, frozen=True, kw_only=True):
    """The box and centre of the caller's jurisdiction."""

    # Lists, not tuples: Litestar renders fixed tuples as a schema that OpenAPI 3.1 rejects.
    bbox: Annotated[list[float], Meta(min_length=4, max_length=4)]
    """west, south, east, north"""
    center: Annotated[list[float], Meta(min_length=2, max_length=2)]
    """lon, lat"""


class GeoController(Controller):
    """Boundaries for the one map."""

    path = "/api/geo"
    tags = ["geo"]  # noqa: RUF012

    @get("/units", opt=needs(Permission.MAP_READ), summary="Org units of a level as GeoJSON")
    async def units(
        self,
        caller: NamedDependency[Caller],
        pool: NamedDependency[PgPool],
        level: FromQuery[Level] = "street",
    ) -> UnitCollection:
        """Units of ``level`` inside the caller's jurisdiction (and the caller's own unit's ancestors never)."""
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT path, level, name_zh, name_en, parent_path, boundary FROM org_units "
                f"WHERE level = $2 AND {jurisdiction_sql('path', 1)} ORDER BY path",
                caller.principal.org_path,
                level,
            )
        return UnitCollection(
            features=[
                UnitFeature(
                    properties=UnitProperties(
                        path=r["path"],
                        level=r["level"],
                        name_zh=r["name_zh"],
                        name_en=r["name_en"],
                        parent_path=r["parent_path"],
                    ),
                    geometry=r["boundary"],
                )
                for r in rows
            ]
        )

    @get(
        "/bounds",
        opt=needs(Permission.MAP_READ),
        summary="Bounding box of the caller's jurisdiction",
    )
    async def bounds(
        self, caller: NamedDependency[Caller], pool: NamedDependency[PgPool]
    ) -> Bounds:
        """Computed from the H3 cells of the jurisdiction's grids."""
        async with pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT min(center_lon) AS w, min(center_lat) AS s, max(center_lon) AS e, max(center_lat) AS n "
                f"FROM org_units WHERE level = 'grid' AND {jurisdiction_sql('path', 1)}",
                caller.principal.org_path,
            )
        if row is None or row["w"] is None:
            raise NotFound("no geography loaded for your jurisdiction")
        pad = 0.01  # grid centres, not edges: widen a little so the boundaries fit
        w, s, e, n = row["w"] - pad, row["s"] - pad, row["e"] + pad, row["n"] + pad
        return Bounds(bbox=[w, s, e, n], center=[(w + e) / 2, (s + n) / 2])
