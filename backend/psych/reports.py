"""Monthly reports up the tree (上报): a community reports to its street, a street to the
district. A report freezes the unit's figures as they stood when it was sent; the live figures
stay beside it, so a late record shows as a difference rather than rewriting what was sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from backend.errors import Conflict, Unprocessable
from backend.psych.figures import tally_paths
from backend.psych.models import (
    ChildReport,
    Figures,
    ReportCreate,
    ReportStatus,
    ReportSubmitted,
    ReportView,
)
from backend.psych.periods import month_bounds, period_of
from backend.security.context import Auditor
from backend.storage.postgres.pool import PgConn

REPORTING_LEVELS = frozenset({"community", "street"})
_SELECT = """
SELECT r.*, o.name_zh, o.name_en FROM psych_reports r JOIN org_units o ON o.path = r.org_path
"""


def _view(row: Any) -> ReportView:
    return msgspec.convert(
        {**dict(row), "id": str(row["id"]), "figures": row["figures"]}, ReportView
    )


async def unit_figures(conn: PgConn, unit: str, period: str) -> Figures:
    """The unit's figures for the month as they stand now."""
    since, until = month_bounds(period)
    return (await tally_paths(conn, unit, since, until)).under(unit).published()


async def _unit(conn: PgConn, path: str) -> Any:
    return await conn.fetchrow("SELECT path, level FROM org_units WHERE path = $1", path)


async def status(conn: PgConn, unit: str, period: str) -> ReportStatus:
    """The month for ``unit``: live figures, its own report, and the reports of the centres
    below it (none below a community: grids keep no station)."""
    level = (await _unit(conn, unit))["level"]
    own = await conn.fetchrow(_SELECT + " WHERE r.org_path = $1 AND r.period = $2", unit, period)
    children = await conn.fetch(
        """
        SELECT o.path AS child_path, o.name_zh AS child_zh, o.name_en AS child_en, r.*,
               o.name_zh, o.name_en
        FROM org_units o LEFT JOIN psych_reports r ON r.org_path = o.path AND r.period = $2
        WHERE o.parent_path = $1 AND o.level IN ('street', 'community') ORDER BY o.path
        """,
        unit,
        period,
    )
    return ReportStatus(
        period=period,
        org_path=unit,
        level=level,
        live=await unit_figures(conn, unit, period),
        own=None if own is None else _view(own),
        can_report=level in REPORTING_LEVELS,
        children=[
            ChildReport(
                org_path=c["child_path"],
                name_zh=c["child_zh"],
                name_en=c["child_en"],
                report=None if c["id"] is None else _view(c),
            )
            for c in children
        ],
    )


async def submit(
    conn: PgConn, auditor: Auditor, data: ReportCreate, now: datetime
) -> ReportSubmitted:
    """Report the caller's unit's month (once). 422 for the district (it receives) or a month
    still to come; 409 when the unit reported the month already under another id, or the id
    names another report."""
    principal = auditor.caller.principal
    unit = await _unit(conn, principal.org_path)
    if unit["level"] == "district":
        raise Unprocessable(
            "the district receives the reports; community and street centres send them",
            field="period",
            code="district_does_not_report",
        )
    if unit["level"] not in REPORTING_LEVELS:
        raise Unprocessable(
            "a grid keeps no centre: its community reports for it",
            field="period",
            code="grid_does_not_report",
        )
    if data.period > period_of(now):
        raise Unprocessable("that month has not begun", field="period", code="future_period")
    figures = await unit_figures(conn, principal.org_path, data.period)
    async with conn.transaction():
        inserted = await conn.fetchval(
            """
            INSERT INTO psych_reports (org_path, period, id, figures, comment, submitted_by,
                                       submitted_by_name)
            VALUES ($1, $2, $3::uuid, $4, $5, $6::uuid, $7)
            ON CONFLICT DO NOTHING RETURNING id
            """,
            principal.org_path,
            data.period,
            data.id,
            figures,
            data.comment,
            principal.user_id,
            principal.display_name,
        )
        row = await conn.fetchrow(_SELECT + " WHERE r.id = $1::uuid", data.id)
        if inserted is None:
            if row is None:
                raise Conflict(
                    f"your unit reported {data.period} already",
                    field="period",
                    code="already_reported",
                )
            if (row["org_path"], row["period"], row["comment"]) != (
                principal.org_path,
                data.period,
                data.comment,
            ):
                raise Conflict(
                    f"report {data.id} was sent with other content",
                    field="id",
                    code="report_id_taken",
                )
        else:
            await auditor.record(
                conn,
                "psych.report",
                object_type="psych_report",
                object_id=data.id,
                details={"period": data.period},
            )
    return ReportSubmitted(report=_view(row), duplicate=inserted is None)
