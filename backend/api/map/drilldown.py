"""Drill-down from an H3 cell or an org unit to buildings, and from a building to its houses.

Residents of a house are not listed here: they come from ``/api/persons?address_id=<house
address>``, which needs ``person:read``, masks by role and audits every record read.
"""

from __future__ import annotations

from typing import Any

import h3

from backend.api.map.schemas import BuildingSummary, HouseSummary
from backend.errors import ApiError, NotFound
from backend.security.principal import Principal, jurisdiction_sql
from backend.storage.postgres.pool import PgConn

_BUILDINGS = """
    SELECT b.id, b.address_id, a.text AS address, a.lat, a.lon, b.use, b.floors, b.org_path,
           (SELECT count(*) FROM houses h WHERE h.building_id = b.id) AS houses,
           (SELECT count(*) FROM houses h WHERE h.building_id = b.id AND h.is_rental) AS rentals
    FROM buildings b JOIN addresses a ON a.id = b.address_id
    WHERE {where} AND {juris}
    ORDER BY b.id LIMIT $3 OFFSET $4
"""


def cells_of(cell: str) -> list[int]:
    """The res-9 cells (as integers) under ``cell`` of res 7, 8 or 9."""
    if not h3.is_valid_cell(cell):
        raise ApiError(f"not an H3 cell: {cell}", field="cell")
    res = h3.get_resolution(cell)
    if res not in (7, 8, 9):
        raise ApiError("cells of resolution 7, 8 or 9 only", field="cell")
    return [h3.str_to_int(c) for c in h3.cell_to_children(cell, 9)]


def _building(row: Any) -> BuildingSummary:
    return BuildingSummary(**{k: row[k] for k in BuildingSummary.__struct_fields__})


async def buildings_in_cell(
    conn: PgConn, principal: Principal, cell: str, *, limit: int, offset: int
) -> list[BuildingSummary]:
    """Buildings whose address lies in ``cell``, within the caller's jurisdiction."""
    sql = _BUILDINGS.format(
        where="a.h3_r9 = ANY($2::bigint[])", juris=jurisdiction_sql("b.org_path", 1)
    )
    rows = await conn.fetch(sql, principal.org_path, cells_of(cell), limit, offset)
    return [_building(r) for r in rows]


async def buildings_in_unit(
    conn: PgConn, principal: Principal, path: str, *, limit: int, offset: int
) -> list[BuildingSummary]:
    """Buildings of org unit ``path`` (404 when it is outside the caller's jurisdiction)."""
    if not principal.covers(path):
        raise NotFound(f"no org unit {path}")
    sql = _BUILDINGS.format(
        where=jurisdiction_sql("b.org_path", 2), juris=jurisdiction_sql("b.org_path", 1)
    )
    rows = await conn.fetch(sql, principal.org_path, path, limit, offset)
    return [_building(r) for r in rows]


async def houses_of(conn: PgConn, principal: Principal, building_id: str) -> list[HouseSummary]:
    """The houses of a building with resident counts; 404 outside the caller's jurisdiction."""
    org_path = await conn.fetchval("SELECT org_path FROM buildings WHERE id = $1", building_id)
    if org_path is None or not principal.covers(org_path):
        raise NotFound(f"no building {building_id}")
    rows = await conn.fetch(
        """
        SELECT h.id, h.address_id, a.text AS address, h.floor, h.use, h.area_m2, h.is_rental,
               h.rental_grade,
               (SELECT count(*) FROM persons p WHERE p.address_id = h.address_id) AS residents
        FROM houses h JOIN addresses a ON a.id = h.address_id
        WHERE h.building_id = $1 ORDER BY h.id
        """,
        building_id,
    )
    return [HouseSummary(**{k: r[k] for k in HouseSummary.__struct_fields__}) for r in rows]
