"""Activities of a centre (宣传教育、活动开展): talks, groups, screening days. No person is named,
so a list needs no audit row per record."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from backend.errors import Conflict, Unprocessable
from backend.psych.models import ActivityCreate, ActivityPage, ActivityRecorded, ActivityView
from backend.security.context import Auditor
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

PLANNED_AHEAD = timedelta(days=1)  # an activity is recorded when held, or the day before
_COMPARED = ("kind", "title", "at", "attendees")


def _view(row: Any) -> ActivityView:
    return msgspec.convert({**dict(row), "id": str(row["id"])}, ActivityView)


async def record_activity(
    conn: PgConn, auditor: Auditor, data: ActivityCreate, now: datetime
) -> ActivityRecorded:
    """Store an activity of the caller's unit (once, whatever the retries). 409 when the id was
    used for another activity."""
    if data.at > now + PLANNED_AHEAD:
        raise Unprocessable("record an activity when it is held", field="at", code="in_future")
    principal = auditor.caller.principal
    async with conn.transaction():
        row: Any = await conn.fetchrow(
            """
            INSERT INTO psych_activities (id, org_path, kind, title, at, attendees, by_user, by_name)
            VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::uuid, $8)
            ON CONFLICT (id) DO NOTHING RETURNING *
            """,
            data.id,
            principal.org_path,
            data.kind,
            data.title,
            data.at,
            data.attendees,
            principal.user_id,
            principal.display_name,
        )
        duplicate = row is None
        if duplicate:
            row = await conn.fetchrow("SELECT * FROM psych_activities WHERE id = $1::uuid", data.id)
            if row["org_path"] != principal.org_path or any(
                row[f] != getattr(data, f) for f in _COMPARED
            ):
                raise Conflict(
                    f"activity {data.id} was recorded with other content",
                    field="id",
                    code="activity_id_taken",
                )
        else:
            await auditor.record(
                conn, "psych.activity", object_type="psych_activity", object_id=data.id
            )
    return ActivityRecorded(activity=_view(row), duplicate=duplicate)


async def list_activities(conn: PgConn, scope: str, limit: int) -> ActivityPage:
    """Activities held in ``scope``, newest first."""
    rows = await conn.fetch(
        f"SELECT * FROM psych_activities WHERE {jurisdiction_sql('org_path', 1)} "
        "ORDER BY at DESC, id LIMIT $2",
        scope,
        limit,
    )
    return ActivityPage(items=[_view(r) for r in rows])
