"""The dispute lists, each unit's disputes at a glance, and the weekly screenings (排查)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Literal

from backend.disputes.models import (
    DisputePage,
    DisputeSummary,
    ScreeningCreate,
    ScreeningPage,
    ScreeningView,
    UnitDisputes,
)
from backend.disputes.policy import week_monday, week_of
from backend.disputes.records import DISPUTE_SQL, dispute_view
from backend.errors import Unprocessable
from backend.security.context import Auditor
from backend.security.principal import jurisdiction_sql, within
from backend.storage.postgres.pool import PgConn

# held: live ones your jurisdiction holds (you act on them); live: every live one you may see
Which = Literal["held", "live", "overdue", "high", "closed"]

_SEEN = f"({jurisdiction_sql('d.org_path', 1)} OR {jurisdiction_sql('d.holder_path', 1)})"
_LIVE = "d.status IN ('open', 'mediating')"


async def list_disputes(
    conn: PgConn,
    scope: str,
    *,
    which: Which,
    kind: str | None,
    limit: int,
    now: datetime,
    offset: int = 0,
) -> DisputePage:
    """Disputes you may see: live ones overdue first, then by risk and deadline; closed ones
    newest first."""
    where = f"{_SEEN} AND ($2::text IS NULL OR d.kind = $2)"
    counts: Any = await conn.fetchrow(
        f"SELECT count(*) FILTER (WHERE {_LIVE}) AS live, "
        f"count(*) FILTER (WHERE {_LIVE} AND d.risk = 'high') AS high, "
        f"count(*) FILTER (WHERE {_LIVE} AND d.due_at < $3) AS overdue "
        f"FROM disputes d WHERE {where}",
        scope,
        kind,
        now,
    )
    order = "d.due_at < $3 DESC, d.risk = 'high' DESC, d.due_at, d.id"
    if which == "held":
        where += f" AND {_LIVE} AND {jurisdiction_sql('d.holder_path', 1)}"
    elif which == "live":
        where += f" AND {_LIVE}"
    elif which == "overdue":
        where += f" AND {_LIVE} AND d.due_at < $3"
    elif which == "high":
        where += f" AND {_LIVE} AND d.risk = 'high'"
    else:
        where += f" AND NOT {_LIVE} AND $3::timestamptz IS NOT NULL"
        order = "d.closed_at DESC, d.id"
    rows = await conn.fetch(
        DISPUTE_SQL + f" WHERE {where} ORDER BY {order} LIMIT $4 OFFSET $5",
        scope,
        kind,
        now,
        limit,
        offset,
    )
    return DisputePage(
        items=[dispute_view(r, scope, now) for r in rows],
        live=counts["live"],
        high=counts["high"],
        overdue=counts["overdue"],
    )


_PER_PLACE = f"""
SELECT org_path,
       count(*) FILTER (WHERE status IN ('open', 'mediating')) AS live,
       count(*) FILTER (WHERE status IN ('open', 'mediating') AND risk = 'high') AS high,
       count(*) FILTER (WHERE status IN ('open', 'mediating') AND due_at < $2) AS overdue,
       count(*) FILTER (WHERE status = 'resolved' AND closed_at >= $3) AS resolved_30d,
       count(*) FILTER (WHERE status = 'referred' AND closed_at >= $3) AS referred_30d
FROM disputes WHERE {jurisdiction_sql("org_path", 1)}
GROUP BY 1
"""
_PER_HOLDER = """
SELECT holder_path, count(*) AS held FROM disputes
WHERE status IN ('open', 'mediating') AND holder_path = ANY($1::text[])
GROUP BY 1
"""
_PLACE_FIELDS = ("live", "high", "overdue", "resolved_30d", "referred_30d")


async def summary(conn: PgConn, scope: str, level: str, now: datetime) -> DisputeSummary:
    """Every unit of ``level`` in ``scope``, zero included. ``held`` counts what the unit's own
    centre holds (not the units below it)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_PLACE_FIELDS, 0))
    for row in await conn.fetch(_PER_PLACE, scope, now, now - timedelta(days=30)):
        counts[row["org_path"]] = {f: row[f] for f in _PLACE_FIELDS}
    units = await conn.fetch(
        f"SELECT path, name_zh, name_en FROM org_units WHERE level = $2 AND {jurisdiction_sql('path', 1)} "
        "ORDER BY path",
        scope,
        level,
    )
    held = {
        r["holder_path"]: r["held"]
        for r in await conn.fetch(_PER_HOLDER, [u["path"] for u in units])
    }
    out = []
    for u in units:
        sums = dict.fromkeys(_PLACE_FIELDS, 0)
        for path, values in counts.items():
            if within(path, u["path"]):
                for f in _PLACE_FIELDS:
                    sums[f] += values[f]
        out.append(
            UnitDisputes(
                org_path=u["path"],
                name_zh=u["name_zh"],
                name_en=u["name_en"],
                held=held.get(u["path"], 0),
                **sums,
            )
        )
    return DisputeSummary(level=level, units=out)


def week_now(now: datetime) -> str:
    """This week on the district's clock."""
    return week_of(now)


async def report_screening(
    conn: PgConn, auditor: Auditor, data: ScreeningCreate, now: datetime
) -> ScreeningView:
    """Your unit's screening of a week, reported once (sent again, it is replaced: a correction).
    A week that has not begun is refused."""
    monday = week_monday(data.week)
    if monday is None:
        raise Unprocessable("that year has no week 53", field="week", code="no_such_week")
    if monday > now.date() + timedelta(days=1):
        raise Unprocessable("the week has not begun", field="week", code="in_future")
    principal = auditor.caller.principal
    async with conn.transaction():
        row: Any = await conn.fetchrow(
            """
            INSERT INTO dispute_screenings (org_path, week, found, notes, by_user, by_name, at)
            VALUES ($1, $2, $3, $4, $5::uuid, $6, $7)
            ON CONFLICT (org_path, week) DO UPDATE SET found = EXCLUDED.found,
                notes = EXCLUDED.notes, by_user = EXCLUDED.by_user, by_name = EXCLUDED.by_name,
                at = EXCLUDED.at
            RETURNING *
            """,
            principal.org_path,
            data.week,
            data.found,
            data.notes,
            principal.user_id,
            principal.display_name,
            now,
        )
        await auditor.record(
            conn,
            "dispute.screening",
            object_type="org_unit",
            object_id=principal.org_path,
            org_path=principal.org_path,
            details={"week": data.week, "found": data.found},
        )
        unit = await conn.fetchrow(
            "SELECT name_zh, name_en FROM org_units WHERE path = $1", principal.org_path
        )
    return ScreeningView(
        org_path=row["org_path"],
        name_zh=unit["name_zh"] if unit else row["org_path"],
        name_en=unit["name_en"] if unit else row["org_path"],
        week=row["week"],
        reported=True,
        found=row["found"],
        notes=row["notes"],
        by_name=row["by_name"],
        at=row["at"],
    )


async def screenings(conn: PgConn, scope: str, week: str, level: str) -> ScreeningPage:
    """Every unit of ``level`` in ``scope`` and its report of ``week``, missing ones first."""
    if week_monday(week) is None:
        raise Unprocessable("that year has no week 53", field="week", code="no_such_week")
    rows = await conn.fetch(
        f"""
        SELECT o.path, o.name_zh, o.name_en, s.found, s.notes, s.by_name, s.at
        FROM org_units o LEFT JOIN dispute_screenings s ON s.org_path = o.path AND s.week = $3
        WHERE o.level = $2 AND {jurisdiction_sql("o.path", 1)}
        ORDER BY s.org_path IS NOT NULL, o.path
        """,
        scope,
        level,
        week,
    )
    units = [
        ScreeningView(
            org_path=r["path"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            week=week,
            reported=r["at"] is not None,
            found=r["found"],
            notes=r["notes"],
            by_name=r["by_name"],
            at=r["at"],
        )
        for r in rows
    ]
    return ScreeningPage(
        week=week, level=level, units=units, reported=sum(1 for u in units if u.reported)
    )
