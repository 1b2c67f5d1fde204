"""The patients layer as the map counted it before migration 0012: live, by joining patients to
persons to addresses per request. Kept here only as the oracle the stored counts must equal."""

from __future__ import annotations

from collections import defaultdict

import h3

from backend.api.map.schemas import CellCount, UnitCount
from backend.api.map.services import CELL_MARGIN, LEVEL_DEPTH
from backend.api.map.suppression import publish
from backend.storage.postgres.pool import PgConn

# The query of backend/api/map/services.py up to migration 0011, word for word: filtered on the
# patient's own org path, in the cell of the person's address.
LIVE_PATIENTS = (
    "SELECT a.h3_r9 AS cell, pt.org_path, "
    "count(*) FILTER (WHERE $2::int IS NULL OR pt.risk_grade = $2) AS n, "
    "count(*) AS total FROM patients pt JOIN persons p ON p.id = pt.person_id "
    "JOIN addresses a ON a.id = p.address_id "
    "WHERE (pt.org_path = $1 OR pt.org_path LIKE $1 || '.%') GROUP BY 1, 2"
)

Bbox = tuple[float, float, float, float]


def _grade(key: str | None) -> int | None:
    return None if key is None else int(key)


async def live_cells(
    conn: PgConn, jurisdiction: str, *, res: int, key: str | None, bbox: Bbox | None
) -> list[CellCount]:
    """What ``GET /api/map/cells?layer=patients`` answered when counted live."""
    rows = await conn.fetch(
        f"SELECT h3_parent(cell, $3) AS cell, sum(n)::bigint AS n, sum(total)::bigint AS total "
        f"FROM ({LIVE_PATIENTS}) s GROUP BY 1 HAVING sum(n) > 0",
        jurisdiction,
        _grade(key),
        res,
    )
    out: list[CellCount] = []
    margin = CELL_MARGIN[res]
    for r in rows:
        cell = h3.int_to_str(r["cell"])
        lat, lon = h3.cell_to_latlng(cell)
        if bbox is not None:
            w, s, e, n = bbox
            if not (s - margin <= lat <= n + margin and w - margin <= lon <= e + margin):
                continue
        count = publish("patients", int(r["n"]), int(r["total"]) if key is not None else None)
        out.append(
            CellCount(
                cell=cell,
                lat=round(lat, 6),
                lon=round(lon, 6),
                count=count,
                suppressed=count is None,
            )
        )
    out.sort(key=lambda c: c.cell)
    return out


async def live_units(
    conn: PgConn, jurisdiction: str, *, level: str, key: str | None
) -> list[UnitCount]:
    """What ``GET /api/map/units?layer=patients`` answered when counted live."""
    rows = await conn.fetch(
        f"SELECT org_path, sum(n)::bigint AS n, sum(total)::bigint AS total "
        f"FROM ({LIVE_PATIENTS}) s GROUP BY 1",
        jurisdiction,
        _grade(key),
    )
    depth = LEVEL_DEPTH[level]
    n_of: dict[str, int] = defaultdict(int)
    total_of: dict[str, int] = defaultdict(int)
    for r in rows:
        unit = ".".join(r["org_path"].split(".")[:depth])
        n_of[unit] += int(r["n"])
        total_of[unit] += int(r["total"])
    units = await conn.fetch(
        "SELECT path, name_zh, name_en FROM org_units "
        "WHERE level = $2 AND (path = $1 OR path LIKE $1 || '.%') ORDER BY path",
        jurisdiction,
        level,
    )
    out = []
    for u in units:
        n = n_of.get(u["path"], 0)
        count = publish("patients", n, total_of.get(u["path"], 0) if key is not None else None)
        out.append(
            UnitCount(
                path=u["path"],
                name_zh=u["name_zh"],
                name_en=u["name_en"],
                count=count,
                suppressed=count is None,
            )
        )
    return out


async def recount(conn: PgConn) -> dict[tuple[str, int, str], int]:
    """The patients per (grade, res-9 cell, patient's org path), from the live tables."""
    rows = await conn.fetch(
        "SELECT pt.risk_grade::text AS key, a.h3_r9, pt.org_path, count(*) AS n "
        "FROM patients pt JOIN persons p ON p.id = pt.person_id "
        "JOIN addresses a ON a.id = p.address_id GROUP BY 1, 2, 3"
    )
    return {(r["key"], r["h3_r9"], r["org_path"]): int(r["n"]) for r in rows}


async def stored(conn: PgConn) -> dict[tuple[str, int, str], int]:
    """The patients layer as the map reads it: stored counts plus deltas not yet folded."""
    rows = await conn.fetch(
        "SELECT key, h3_r9, org_path, sum(n) AS n FROM ("
        "SELECT key, h3_r9, org_path, n FROM map_cell_counts WHERE layer = 'patients' UNION ALL "
        "SELECT key, h3_r9, org_path, n FROM map_cell_deltas WHERE layer = 'patients') c "
        "GROUP BY 1, 2, 3 HAVING sum(n) <> 0"
    )
    return {(r["key"], r["h3_r9"], r["org_path"]): int(r["n"]) for r in rows}
