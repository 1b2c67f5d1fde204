"""The KPI queries: every figure computed in PostgreSQL from incidents and assignments, always
inside one jurisdiction (``$1``, an org path) and a time window (``$2``..``$3``).

Milestones of an incident are its first offer (alert), first acceptance and first arrival on
scene, measured from its creation; percentiles are ``percentile_cont`` over the incidents
opened in the set (those that never reached a milestone do not count for it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import h3

from backend.kpi.buckets import (
    DISTRICT_TZ,
    LEVEL_DEPTH,
    assemble_series,
    bucket_starts,
    durations,
    figures_of,
    split_rows,
)
from backend.kpi.models import (
    Bucket,
    KpiTrends,
    SlaCell,
    SlaCells,
    TodayKpis,
    UnitLevel,
)
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

# One row per incident opened in the window, with seconds to each milestone.
_FIRSTS = f"""
    SELECT i.id, i.org_path, i.created_at, i.lat, i.lon,
           extract(epoch FROM min(a.offered_at) - i.created_at)::float8 AS alert_s,
           extract(epoch FROM min(a.accepted_at) - i.created_at)::float8 AS accept_s,
           extract(epoch FROM min(a.on_scene_at) - i.created_at)::float8 AS arrive_s
    FROM incidents i LEFT JOIN assignments a ON a.incident_id = i.id
    WHERE {jurisdiction_sql("i.org_path", 1)} AND i.created_at >= $2 AND i.created_at < $3
    GROUP BY i.id
"""


def _percentiles(*metrics: str) -> str:
    return ", ".join(
        f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {m}_s) AS {m}_p50, "
        f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {m}_s) AS {m}_p90, "
        f"count({m}_s) AS {m}_n"
        for m in metrics
    )


_ALL = _percentiles("alert", "accept", "arrive")


def _unit_sql(column: str, depth_param: int) -> str:
    """The org path of ``column`` cut to the depth bound to ``$depth_param`` (null when shorter)."""
    parts = f"string_to_array({column}, '.')"
    return (
        f"CASE WHEN cardinality({parts}) >= ${depth_param} "
        f"THEN array_to_string(({parts})[1:${depth_param}], '.') END"
    )


_TRENDS_OPENED = f"""
    WITH f AS ({_FIRSTS}),
    b AS (SELECT date_trunc($4, created_at AT TIME ZONE $5) AS bucket, {_unit_sql("org_path", 6)} AS unit,
                 alert_s, accept_s, arrive_s FROM f)
    SELECT bucket, unit, GROUPING(unit) = 1 AS is_total, count(*) AS opened, {_ALL}
    FROM b GROUP BY GROUPING SETS ((bucket, unit), (bucket))
"""

_TRENDS_CLOSED = f"""
    WITH b AS (
        SELECT date_trunc($4, closed_at AT TIME ZONE $5) AS bucket, {_unit_sql("org_path", 6)} AS unit
        FROM incidents
        WHERE {jurisdiction_sql("org_path", 1)} AND state = 'closed' AND closed_at >= $2 AND closed_at < $3)
    SELECT bucket, unit, GROUPING(unit) = 1 AS is_total, count(*) AS closed
    FROM b GROUP BY GROUPING SETS ((bucket, unit), (bucket))
"""


async def trends(
    conn: PgConn,
    org_path: str,
    *,
    bucket: Bucket,
    level: UnitLevel,
    since: datetime,
    until: datetime,
    tz: ZoneInfo = DISTRICT_TZ,
) -> KpiTrends:
    """Figures per bucket for every unit of ``level`` in ``org_path`` and for all of it.

    Raises ValueError for a window that is empty or too long (see ``bucket_starts``).
    """
    starts = bucket_starts(since, until, bucket, tz)
    args = (org_path, starts[0], until, bucket, tz.key, LEVEL_DEPTH[level])
    opened = split_rows(await conn.fetch(_TRENDS_OPENED, *args))
    closed = split_rows(await conn.fetch(_TRENDS_CLOSED, *args), "closed")
    units = await conn.fetch(
        "SELECT path, name_zh, name_en FROM org_units "
        f"WHERE level = $2 AND {jurisdiction_sql('path', 1)} ORDER BY path",
        org_path,
        level,
    )
    here = await conn.fetchrow(
        "SELECT path, name_zh, name_en FROM org_units WHERE path = $1", org_path
    )
    return KpiTrends(
        org_path=org_path,
        bucket=bucket,
        level=level,
        since=starts[0],
        until=until,
        total=assemble_series(
            path=org_path,
            name_zh=here["name_zh"] if here else org_path,
            name_en=here["name_en"] if here else org_path,
            starts=starts,
            opened=opened.get(None, {}),
            closed=closed.get(None, {}),
        ),
        units=[
            assemble_series(
                path=u["path"],
                name_zh=u["name_zh"],
                name_en=u["name_en"],
                starts=starts,
                opened=opened.get(u["path"], {}),
                closed=closed.get(u["path"], {}),
            )
            for u in units
        ],
    )


async def today(conn: PgConn, org_path: str, *, start: datetime, now: datetime) -> TodayKpis:
    """The wall's figures from ``start`` (local midnight) to ``now``, and who is on duty."""
    opened = await conn.fetchrow(
        f"WITH f AS ({_FIRSTS}) SELECT count(*) AS opened, {_ALL} FROM f", org_path, start, now
    )
    closed = await conn.fetchval(
        f"SELECT count(*) FROM incidents WHERE {jurisdiction_sql('org_path', 1)} "
        "AND state = 'closed' AND closed_at >= $2 AND closed_at < $3",
        org_path,
        start,
        now,
    )
    duty = await conn.fetch(
        "SELECT cap, count(*) AS n FROM responders r JOIN users u ON u.id = r.user_id "
        "CROSS JOIN LATERAL unnest(u.capabilities) AS cap "
        f"WHERE r.duty_status <> 'off_duty' AND {jurisdiction_sql('u.org_path', 1)} "
        "GROUP BY cap ORDER BY cap",
        org_path,
    )
    on_duty = await conn.fetchval(
        "SELECT count(*) FROM responders r JOIN users u ON u.id = r.user_id "
        f"WHERE r.duty_status <> 'off_duty' AND {jurisdiction_sql('u.org_path', 1)}",
        org_path,
    )
    return TodayKpis(
        org_path=org_path,
        day_start=start,
        figures=figures_of(opened if opened and opened["opened"] else None, int(closed or 0)),
        on_duty_by_capability={r["cap"]: int(r["n"]) for r in duty},
        on_duty=int(on_duty or 0),
    )


_SLA = f"""
    WITH f AS ({_FIRSTS}),
    c AS (SELECT * FROM unnest($4::text[], $5::text[]) AS c(id, cell))
    SELECT c.cell, count(*) AS incidents, {_percentiles("accept", "arrive")}
    FROM f JOIN c USING (id) GROUP BY c.cell ORDER BY c.cell
"""


async def sla_cells(
    conn: PgConn, org_path: str, *, res: int, since: datetime, until: datetime
) -> SlaCells:
    """Time to accept and to arrive per H3 cell (at ``res``) of the incidents opened in the window."""
    places = await conn.fetch(
        f"SELECT id, lat, lon FROM incidents WHERE {jurisdiction_sql('org_path', 1)} "
        "AND created_at >= $2 AND created_at < $3",
        org_path,
        since,
        until,
    )
    ids = [p["id"] for p in places]
    cells = [h3.latlng_to_cell(p["lat"], p["lon"], res) for p in places]
    rows: list[Any] = await conn.fetch(_SLA, org_path, since, until, ids, cells) if ids else []
    out = []
    for r in rows:
        lat, lon = h3.cell_to_latlng(r["cell"])
        out.append(
            SlaCell(
                cell=r["cell"],
                lat=round(lat, 6),
                lon=round(lon, 6),
                incidents=int(r["incidents"]),
                to_accept=durations(r, "accept"),
                to_arrive=durations(r, "arrive"),
            )
        )
    return SlaCells(org_path=org_path, res=res, since=since, until=until, cells=out)
