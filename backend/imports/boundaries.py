"""Import the jurisdiction tree from GeoJSON and polyfill it to H3 so each cell has one grid."""

from __future__ import annotations

from typing import Any, Literal

import h3
import msgspec

from backend.storage.postgres.pool import PgConn

CELL_RES = 9
LEVELS = ("district", "street", "community", "grid")
Level = Literal["district", "street", "community", "grid"]


class BoundaryImportError(ValueError):
    """The boundary file is unusable; the message names the feature and the reason."""


class UnitProperties(msgspec.Struct, frozen=True, kw_only=True):
    """The properties every boundary feature must carry."""

    path: str
    level: Level
    name_zh: str
    name_en: str
    parent_path: str | None = None


class Feature(msgspec.Struct, frozen=True, kw_only=True):
    """A GeoJSON feature of a Polygon or MultiPolygon boundary."""

    properties: UnitProperties
    geometry: dict[str, Any]


class FeatureCollection(msgspec.Struct, frozen=True, kw_only=True):
    """A GeoJSON FeatureCollection of org units."""

    features: list[Feature]


class BoundaryImportResult(msgspec.Struct, frozen=True, kw_only=True):
    """What an import changed."""

    units: int
    cells: int
    contested_cells: int
    """Cells inside more than one grid's polygon, given to the grid with the smallest path."""


def parse_boundaries(data: bytes) -> list[Feature]:
    """Decode and check a boundary file: levels nest, parents exist, geometry is polygonal."""
    try:
        collection = msgspec.json.decode(data, type=FeatureCollection)
    except msgspec.DecodeError as exc:
        raise BoundaryImportError(f"not a valid boundary FeatureCollection: {exc}") from None
    features = collection.features
    by_path = {f.properties.path: f for f in features}
    if len(by_path) != len(features):
        raise BoundaryImportError("two features share one path")
    for i, feature in enumerate(features):
        p = feature.properties
        where = f"features[{i}] ({p.path})"
        if feature.geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise BoundaryImportError(f"{where}: geometry must be a Polygon or MultiPolygon")
        if p.level == "district":
            if p.parent_path is not None:
                raise BoundaryImportError(f"{where}: a district has no parent")
            continue
        parent = by_path.get(p.parent_path or "")
        if parent is None:
            raise BoundaryImportError(f"{where}: parent {p.parent_path!r} is not in the file")
        if LEVELS.index(parent.properties.level) != LEVELS.index(p.level) - 1:
            raise BoundaryImportError(
                f"{where}: a {p.level} cannot sit under a {parent.properties.level}"
            )
        if not p.path.startswith(f"{p.parent_path}."):
            raise BoundaryImportError(f"{where}: path must start with its parent's path")
    return features


def assign_cells(features: list[Feature]) -> tuple[dict[int, str], int]:
    """Polyfill each grid; a cell claimed by several grids goes to the smallest path."""
    owner: dict[int, str] = {}
    contested = 0
    grids = sorted(
        (f for f in features if f.properties.level == "grid"), key=lambda f: f.properties.path
    )
    for feature in grids:
        for cell in h3.geo_to_cells(feature.geometry, CELL_RES):
            key = h3.str_to_int(cell)
            if key in owner:
                contested += 1
                continue
            owner[key] = feature.properties.path
    return owner, contested


def _center(geometry: dict[str, Any]) -> tuple[float, float]:
    ring = (
        geometry["coordinates"][0]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"][0][0]
    )
    lons = [pt[0] for pt in ring]
    lats = [pt[1] for pt in ring]
    return (sum(lats) / len(lats), sum(lons) / len(lons))


async def import_boundaries(conn: PgConn, data: bytes) -> BoundaryImportResult:
    """Replace the tree's units and cells from ``data`` in one transaction."""
    features = parse_boundaries(data)
    owner, contested = assign_cells(features)
    order = sorted(features, key=lambda f: (LEVELS.index(f.properties.level), f.properties.path))
    async with conn.transaction():
        for f in order:
            p = f.properties
            lat, lon = _center(f.geometry)
            await conn.execute(
                """
                INSERT INTO org_units (path, parent_path, level, name_zh, name_en, boundary,
                                       center_lat, center_lon)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (path) DO UPDATE SET
                    parent_path = EXCLUDED.parent_path, level = EXCLUDED.level,
                    name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,
                    boundary = EXCLUDED.boundary, center_lat = EXCLUDED.center_lat,
                    center_lon = EXCLUDED.center_lon, updated_at = now()
                """,
                p.path,
                p.parent_path,
                p.level,
                p.name_zh,
                p.name_en,
                f.geometry,
                lat,
                lon,
            )
        await conn.execute("DELETE FROM grid_cells")
        await conn.copy_records_to_table(
            "grid_cells", records=list(owner.items()), columns=["cell", "grid_path"]
        )
    return BoundaryImportResult(units=len(features), cells=len(owner), contested_cells=contested)
