"""The rental lists: houses by what needs doing, each department's open rectifications, and
each unit's rental houses at a glance. Houses carry no names: reading a list is not audited
per house (opening one is)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Literal

from backend.api.map.rollup import LIVE_COUNTS
from backend.rentals.checklist import Department
from backend.rentals.houses import HAZARD_SQL, RENTAL_SQL, hazard_view, rental_view
from backend.rentals.models import HazardPage, RentalPage, RentalSummary, UnitRentals
from backend.security.principal import jurisdiction_sql, within
from backend.storage.postgres.pool import PgConn

# due: inspected houses, overdue first then soonest due; unassessed: never inspected (待评定)
Which = Literal["due", "overdue", "red", "hazards", "unassessed"]
HazardWhich = Literal["open", "overdue"]

_GRADE_RANK = (
    "CASE h.rental_grade WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2 ELSE 3 END"
)

# every rental house of a jurisdiction per grade, from the one map's rollup (no scan of the
# district's 551,600 houses)
_RENTALS = f"""
SELECT org_path, key AS grade, sum(n)::int AS n
FROM ({LIVE_COUNTS.format(layer="'rentals'")}) c
WHERE {jurisdiction_sql("org_path", 1)}
GROUP BY 1, 2
"""
_ASSESSED = f"""
SELECT org_path, count(*) AS assessed, count(*) FILTER (WHERE due_at < $2) AS overdue
FROM rental_status s
WHERE {jurisdiction_sql("org_path", 1)} AND EXISTS (SELECT FROM houses h WHERE h.id = s.house_id AND h.is_rental)
GROUP BY 1
"""
_HAZARDS = f"""
SELECT org_path, count(*) AS open, count(*) FILTER (WHERE due_at < $2) AS overdue
FROM rental_hazards
WHERE cleared_at IS NULL AND {jurisdiction_sql("org_path", 1)}
GROUP BY 1
"""

_FIELDS = (
    "rentals",
    "green",
    "yellow",
    "red",
    "ungraded",
    "assessed",
    "overdue",
    "open_hazards",
    "overdue_hazards",
)


async def _counts(conn: PgConn, scope: str, now: datetime) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_FIELDS, 0))
    for row in await conn.fetch(_RENTALS, scope):
        counts[row["org_path"]][row["grade"]] += row["n"]
        counts[row["org_path"]]["rentals"] += row["n"]
    for row in await conn.fetch(_ASSESSED, scope, now):
        counts[row["org_path"]]["assessed"] = row["assessed"]
        counts[row["org_path"]]["overdue"] = row["overdue"]
    for row in await conn.fetch(_HAZARDS, scope, now):
        counts[row["org_path"]]["open_hazards"] = row["open"]
        counts[row["org_path"]]["overdue_hazards"] = row["overdue"]
    return counts


def _under(counts: dict[str, dict[str, int]], unit: str) -> dict[str, int]:
    sums = dict.fromkeys(_FIELDS, 0)
    for path, values in counts.items():
        if within(path, unit):
            for field in _FIELDS:
                sums[field] += values[field]
    return sums


async def list_rentals(
    conn: PgConn,
    scope: str,
    *,
    which: Which,
    q: str | None,
    limit: int,
    now: datetime,
    offset: int = 0,
) -> RentalPage:
    """Rental houses of ``scope`` by ``which``, narrowed to addresses containing ``q``."""
    args: list[Any] = [now, scope]
    where = f"h.is_rental AND {jurisdiction_sql('h.org_path', 2)}"
    if q is not None:
        args.append(q)
        where += f" AND strpos(a.text, ${len(args)}) > 0"
    order = "s.due_at < $1 DESC, s.due_at, h.id"
    if which == "due":
        where += " AND s.house_id IS NOT NULL"
    elif which == "overdue":
        where += " AND s.due_at < $1"
    elif which == "red":
        where += " AND h.rental_grade = 'red'"
        order = "s.due_at < $1 DESC, s.due_at NULLS FIRST, h.id"
    elif which == "hazards":
        where += (
            " AND EXISTS (SELECT FROM rental_hazards z WHERE z.house_id = h.id"
            " AND z.cleared_at IS NULL)"
        )
    else:  # unassessed: the riskiest grade the block data gave first
        where += " AND s.house_id IS NULL"
        order = f"{_GRADE_RANK}, h.id"
    args += [limit, offset]
    rows = await conn.fetch(
        RENTAL_SQL + f" WHERE {where} ORDER BY {order} LIMIT ${len(args) - 1} OFFSET ${len(args)}",
        *args,
    )
    total = _under(await _counts(conn, scope, now), scope)
    return RentalPage(
        items=[rental_view(r, now) for r in rows],
        rentals=total["rentals"],
        assessed=total["assessed"],
        overdue=total["overdue"],
        red=total["red"],
        open_hazards=total["open_hazards"],
    )


async def list_hazards(
    conn: PgConn,
    scope: str,
    *,
    department: Department | None,
    which: HazardWhich,
    limit: int,
    now: datetime,
    offset: int = 0,
) -> HazardPage:
    """Open rectifications of ``scope`` (for one department when given): overdue first."""
    where = (
        f"z.cleared_at IS NULL AND {jurisdiction_sql('z.org_path', 1)} "
        "AND ($2::text IS NULL OR z.department = $2)"
    )
    counts: Any = await conn.fetchrow(
        f"SELECT count(*) AS total, count(*) FILTER (WHERE z.due_at < $3) AS overdue "
        f"FROM rental_hazards z WHERE {where}",
        scope,
        department,
        now,
    )
    if which == "overdue":
        where += " AND z.due_at < $3"
    rows = await conn.fetch(
        HAZARD_SQL
        + f" WHERE {where} ORDER BY z.due_at < $3::timestamptz DESC, z.due_at, z.id LIMIT $4 OFFSET $5",
        scope,
        department,
        now,
        limit,
        offset,
    )
    return HazardPage(
        items=[hazard_view(r, now) for r in rows], total=counts["total"], overdue=counts["overdue"]
    )


async def summary(conn: PgConn, scope: str, level: str, now: datetime) -> RentalSummary:
    """Every unit of ``level`` in ``scope`` (zero included) and the scope's total."""
    counts = await _counts(conn, scope, now)
    units = await conn.fetch(
        f"SELECT path, name_zh, name_en FROM org_units WHERE level = $2 AND {jurisdiction_sql('path', 1)} "
        "ORDER BY path",
        scope,
        level,
    )
    scope_name = await conn.fetchrow(
        "SELECT name_zh, name_en FROM org_units WHERE path = $1", scope
    )
    return RentalSummary(
        level=level,
        units=[
            UnitRentals(
                org_path=u["path"],
                name_zh=u["name_zh"],
                name_en=u["name_en"],
                **_under(counts, u["path"]),
            )
            for u in units
        ],
        total=UnitRentals(
            org_path=scope,
            name_zh=scope_name["name_zh"] if scope_name else scope,
            name_en=scope_name["name_en"] if scope_name else scope,
            **_under(counts, scope),
        ),
    )
