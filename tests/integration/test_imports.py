"""Boundary and address import against the real database."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from backend.imports.addresses import Reject, import_addresses
from backend.imports.boundaries import BoundaryImportError, import_boundaries
from backend.storage.postgres.pool import PgPool
from simulators.geography import generate_addresses, generate_geography


@pytest.fixture
async def geography(clean_db: PgPool) -> PgPool:
    geo = generate_geography(seed=1)
    async with clean_db.acquire() as conn:
        await import_boundaries(conn, msgspec.json.encode(geo.feature_collection()))
    return clean_db


async def test_boundaries_load_the_tree_and_every_cell(geography: PgPool) -> None:
    async with geography.acquire() as conn:
        levels = dict(await conn.fetch("SELECT level, count(*) FROM org_units GROUP BY level"))
        cells = await conn.fetchval("SELECT count(*) FROM grid_cells")
        orphan_grids = await conn.fetchval(
            "SELECT count(*) FROM grid_cells gc JOIN org_units o ON o.path = gc.grid_path WHERE o.level <> 'grid'"
        )
    assert levels["district"] == 1 and levels["street"] == 6
    assert cells == len(generate_geography(seed=1).grid_of_cell)
    assert orphan_grids == 0


async def test_bad_boundary_file_changes_nothing(geography: PgPool) -> None:
    broken = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "path": "440310.09",
                    "level": "street",
                    "name_zh": "x",
                    "name_en": "x",
                    "parent_path": "999",
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[114.3, 22.7], [114.31, 22.7], [114.31, 22.71], [114.3, 22.7]]
                    ],
                },
            },
        ],
    }
    async with geography.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM org_units")
        with pytest.raises(BoundaryImportError, match=r"features\[0\].*parent '999'"):
            await import_boundaries(conn, msgspec.json.encode(broken))
        assert await conn.fetchval("SELECT count(*) FROM org_units") == before


def _rows(items: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(i + 2, item) for i, item in enumerate(items)]


async def test_addresses_load_good_rows_reject_bad_and_reimport_changes_nothing(
    geography: PgPool,
) -> None:
    geo = generate_geography(seed=1)
    good = [msgspec.structs.asdict(r) for r in generate_addresses(geo, 200, seed=1)]
    bad = [
        {"id": "X1", "text": "", "lat": "22.7", "lon": "114.35"},  # empty text
        {"id": "X2", "text": "somewhere", "lat": "95", "lon": "114.35"},  # latitude out of range
        {"id": "X3", "text": "in the sea", "lat": "22.2", "lon": "114.35"},  # outside the district
        {"id": "X4", "text": "not a number", "lat": "north", "lon": "114.35"},
        dict(good[0]),  # duplicate id in the same file
    ]
    rejects: list[Reject] = []
    async with geography.acquire() as conn:
        summary = await import_addresses(conn, _rows(good + bad), on_reject=rejects.append)
        again = await import_addresses(conn, _rows(good))
        stored = await conn.fetchval("SELECT count(*) FROM addresses")
    assert (summary.inserted, summary.rejected) == (200, 5)
    assert [(r.line, r.field) for r in rejects] == [
        (202, "text"),
        (203, "lat"),
        (204, "lat"),
        (205, "lat"),
        (206, "id"),
    ]
    assert "outside every grid" in rejects[2].reason
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 200)
    assert stored == 200


async def test_changed_address_is_updated(geography: PgPool) -> None:
    geo = generate_geography(seed=1)
    rows = [msgspec.structs.asdict(r) for r in generate_addresses(geo, 10, seed=1)]
    async with geography.acquire() as conn:
        await import_addresses(conn, _rows(rows))
        rows[3]["text"] = rows[3]["text"] + "（更正）"
        summary = await import_addresses(conn, _rows(rows))
        text = await conn.fetchval("SELECT text FROM addresses WHERE id = $1", rows[3]["id"])
    assert (summary.updated, summary.unchanged) == (1, 9)
    assert text.endswith("（更正）")
