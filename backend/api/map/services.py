"""Counts per H3 cell and per org unit for the one map, always within the caller's jurisdiction.

Big layers and patients read the rollup (``map_cell_counts`` plus unfolded deltas, see
rollup.py); events, key places and live disputes (at their address, by risk) are counted live. Every query is filtered by
``jurisdiction_sql`` on the record's org path (a patient's own, the address's for the other
rollup layers), so a community leader's map holds only their community, even in an H3 cell that
straddles a boundary.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import h3

from backend.api.map.rollup import LIVE_COUNTS, ROLLUP_SOURCES
from backend.api.map.schemas import CellCount, Layer, UnitCount
from backend.api.map.suppression import publish
from backend.errors import ApiError
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

LEVEL_DEPTH = {"district": 1, "street": 2, "community": 3, "grid": 4}
# Half the edge of a cell in degrees, roughly: a cell is kept when its centre is this near the box.
CELL_MARGIN = {7: 0.013, 8: 0.005, 9: 0.002}


class Window:
    """A time window for the events layer."""

    def __init__(self, since: datetime, until: datetime) -> None:
        if until <= since:
            raise ApiError("until must be after since", field="until")
        self.since = since
        self.until = until


def _source(layer: Layer, key: str | None, window: Window | None) -> tuple[str, list[Any]]:
    """SQL yielding (cell9, org_path, n, total) rows for ``layer``, parameters after $1 (jurisdiction)."""
    if layer == "patients":
        _check_grade(key)  # stored under the grade as text, '0' to '5'
    if layer in ROLLUP_SOURCES:
        # The rollup plus the deltas not yet folded: a record counts once it commits.
        live = LIVE_COUNTS.format(layer=f"'{layer}'")
        sql = (
            "SELECT h3_r9 AS cell, org_path, sum(n) FILTER (WHERE $2::text IS NULL OR key = $2) AS n, "
            f"sum(n) AS total FROM ({live}) c "
            f"WHERE {jurisdiction_sql('org_path', 1)} GROUP BY 1, 2"
        )
        return sql, [key]
    if layer == "events":
        assert window is not None
        sql = (
            "SELECT h3_r9 AS cell, org_path, count(*) FILTER (WHERE $2::text IS NULL OR type = $2) AS n, "
            "count(*) AS total FROM block_events "
            f"WHERE {jurisdiction_sql('org_path', 1)} AND occurred_at >= $3 AND occurred_at < $4 GROUP BY 1, 2"
        )
        return sql, [key, window.since, window.until]
    if layer == "disputes":
        # live ones with an address (one without is on its unit's list, not on the map)
        sql = (
            "SELECT a.h3_r9 AS cell, d.org_path, "
            "count(*) FILTER (WHERE $2::text IS NULL OR d.risk = $2) AS n, count(*) AS total "
            "FROM disputes d JOIN addresses a ON a.id = d.address_id "
            f"WHERE d.status IN ('open', 'mediating') AND {jurisdiction_sql('d.org_path', 1)} "
            "GROUP BY 1, 2"
        )
        return sql, [key]
    sql = (
        "SELECT h3_r9 AS cell, org_path, count(*) FILTER (WHERE $2::text IS NULL OR kind = $2) AS n, "
        f"count(*) AS total FROM key_places WHERE {jurisdiction_sql('org_path', 1)} GROUP BY 1, 2"
    )
    return sql, [key]


def _check_grade(key: str | None) -> None:
    if key is not None and key not in {"0", "1", "2", "3", "4", "5"}:
        raise ApiError("key of the patients layer is a risk grade 0-5", field="key")


async def cell_counts(
    conn: PgConn,
    jurisdiction: str,
    layer: Layer,
    *,
    res: int,
    key: str | None,
    bbox: tuple[float, float, float, float] | None,
    window: Window | None,
) -> list[CellCount]:
    """Counts per cell at ``res`` (7, 8 or 9), suppressed by policy, optionally inside ``bbox``."""
    sql, args = _source(layer, key, window)
    rows = await conn.fetch(
        f"SELECT h3_parent(cell, ${len(args) + 2}) AS cell, sum(n)::bigint AS n, "
        f"sum(total)::bigint AS total FROM ({sql}) s GROUP BY 1 HAVING sum(n) > 0",
        jurisdiction,
        *args,
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
        count = publish(layer, int(r["n"]), int(r["total"]) if key is not None else None)
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


async def unit_counts(
    conn: PgConn,
    jurisdiction: str,
    layer: Layer,
    *,
    level: str,
    key: str | None,
    window: Window | None,
) -> list[UnitCount]:
    """Counts per org unit of ``level`` inside the jurisdiction, suppressed by policy."""
    sql, args = _source(layer, key, window)
    rows = await conn.fetch(
        f"SELECT org_path, sum(n)::bigint AS n, sum(total)::bigint AS total FROM ({sql}) s GROUP BY 1",
        jurisdiction,
        *args,
    )
    depth = LEVEL_DEPTH[level]
    n_of: dict[str, int] = defaultdict(int)
    total_of: dict[str, int] = defaultdict(int)
    for r in rows:
        unit = ".".join(r["org_path"].split(".")[:depth])
        n_of[unit] += int(r["n"] or 0)
        total_of[unit] += int(r["total"] or 0)
    units = await conn.fetch(
        "SELECT path, name_zh, name_en FROM org_units "
        f"WHERE level = $2 AND {jurisdiction_sql('path', 1)} ORDER BY path",
        jurisdiction,
        level,
    )
    out = []
    for u in units:
        n = n_of.get(u["path"], 0)
        count = publish(layer, n, total_of.get(u["path"], 0) if key is not None else None)
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
