"""The psychological-crisis warning (心理危机预警): raised the moment an assessment finds it,
resolved when a crisis intervention is recorded. Unlike the scheduled rules it needs no pass:
the finding is in the record being written, so the warning commits with it."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.early_warning.models import PSYCH_CRISIS, WarningNote
from backend.early_warning.store import announce, resolve_for_subject
from backend.psych.scales import Scored
from backend.storage.postgres.pool import PgConn

_NOTE = "id, rule, level, state, raised_at"


async def raise_crisis(conn: PgConn, person: Any, scale: str, scored: Scored) -> WarningNote | None:
    """Raise (or escalate) the person's crisis warning for this finding; the live warning, if
    any. A second finding while one is live changes nothing unless it is more serious. Must run
    in the transaction that stores the assessment."""
    if scored.crisis is None:
        return await live_crisis(conn, person["id"])
    details = {"scale": scale, "band": scored.band, "self_harm": scored.self_harm}
    row = await conn.fetchrow(
        """
        INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, details)
        VALUES ($1, 'person', $2, $3, $4, $5)
        ON CONFLICT (rule, subject_id) WHERE state <> 'resolved' DO NOTHING
        RETURNING *
        """,
        PSYCH_CRISIS,
        person["id"],
        person["org_path"],
        scored.crisis,
        details,
    )
    if row is not None:
        await announce(conn, "warning.raised", row)
    elif scored.crisis == "serious":
        row = await conn.fetchrow(
            """
            UPDATE early_warnings SET level = 'serious', details = $3
            WHERE rule = $1 AND subject_id = $2 AND state <> 'resolved' AND level <> 'serious'
            RETURNING *
            """,
            PSYCH_CRISIS,
            person["id"],
            details,
        )
        if row is not None:
            await announce(conn, "warning.escalated", row)
    return await live_crisis(conn, person["id"])


async def live_crisis(conn: PgConn, person_id: str) -> WarningNote | None:
    """The person's live crisis warning, if any."""
    row = await conn.fetchrow(
        f"SELECT {_NOTE} FROM early_warnings WHERE rule = $1 AND subject_id = $2 AND state <> 'resolved'",
        PSYCH_CRISIS,
        person_id,
    )
    return None if row is None else msgspec.convert(dict(row), WarningNote)


async def resolve_crisis(conn: PgConn, person_id: str) -> list[int]:
    """A crisis intervention was recorded: the warning has been acted on."""
    return await resolve_for_subject(conn, PSYCH_CRISIS, person_id, "crisis_intervention")
