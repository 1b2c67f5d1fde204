"""The early-warning record: announce, list, acknowledge, resolve.

A warning is announced twice in the transaction that changes it: on the incidents stream under
its org path (walls, consoles and leaders of that jurisdiction), and on the personal streams of
the care team of the patient it is about, or of every patient registered at the address it is
about (their phones: ``warning.raised`` and ``warning.escalated`` are also pushed).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from backend.early_warning.models import (
    FOLLOW_UP_OVERDUE,
    PSYCH_CRISIS,
    REPEAT_CALLS,
    ForeseenWarning,
    UnitWarningPage,
    UnitWarnings,
    WarningNote,
    WarningPage,
    WarningState,
    WarningView,
)
from backend.errors import Conflict, NotFound
from backend.realtime.outbox import emit
from backend.security.context import Auditor
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

_COLUMNS = """
    w.id, w.rule, w.level, w.state, w.subject_type, w.subject_id, w.org_path, o.name_zh AS org_name, o.name_en AS org_name_en,
    w.raised_at, w.details, u.display_name AS acknowledged_by_name, w.acknowledged_at, w.ack_note,
    w.resolved_at, w.resolution
"""
_FROM = """
    FROM early_warnings w
    LEFT JOIN org_units o ON o.path = w.org_path
    LEFT JOIN users u ON u.id = w.acknowledged_by
"""


# Who hears of a warning about each kind of subject: the patient's care team, or the care teams
# of the patients registered at the address. A person who is no patient has no care team: the
# jurisdiction's stream alone carries it.
_CARE_TEAM = (
    "SELECT DISTINCT user_id::text AS id FROM care_team_members WHERE patient_id = $1::uuid"
)
_TEAMS = {
    "patient": _CARE_TEAM,
    "person": _CARE_TEAM,
    # the officer who answers for the registered person
    "ledger_entry": "SELECT officer_id::text AS id FROM ledger_entries "
    "WHERE id = $1::uuid AND officer_id IS NOT NULL",
    # whoever inspected the house last
    "rental_house": "SELECT by_user::text AS id FROM rental_assessments "
    "WHERE house_id = $1 ORDER BY at DESC LIMIT 1",
    "rental_hazard": "SELECT a.by_user::text AS id FROM rental_hazards z "
    "JOIN rental_assessments a ON a.house_id = z.house_id WHERE z.id = $1::uuid "
    "ORDER BY a.at DESC LIMIT 1",
    # whoever registered the dispute
    "dispute": "SELECT created_by::text AS id FROM disputes WHERE id = $1::uuid",
    "address": """
        SELECT DISTINCT c.user_id::text AS id FROM care_team_members c
        JOIN persons p ON p.id = c.patient_id WHERE p.address_id = $1
    """,
}


# The rules whose subject may be an incident's patient (a patient's id is its person's id).
_ABOUT_PATIENT = [FOLLOW_UP_OVERDUE, PSYCH_CRISIS]


def _view(row: Any) -> WarningView:
    return msgspec.convert(dict(row), WarningView)


def _payload(row: Any) -> dict[str, Any]:
    # What every subscriber of the jurisdiction may see: no name, no address, no phone.
    return {
        "warning_id": row["id"],
        "rule": row["rule"],
        "level": row["level"],
        "state": row["state"],
        "subject_type": row["subject_type"],
        "subject_id": row["subject_id"],
        "org_path": row["org_path"],
        "details": dict(row["details"]),
    }


async def announce(conn: PgConn, kind: str, row: Any) -> None:
    """Emit ``kind`` for the warning ``row`` (an ``early_warnings`` row) to its jurisdiction and
    to the subject's care team. Must run in the transaction that changed the row."""
    payload = _payload(row)
    await emit(conn, stream="incidents", kind=kind, org_path=row["org_path"], payload=payload)
    team = await conn.fetch(_TEAMS[row["subject_type"]], row["subject_id"])
    for member in team:
        await emit(
            conn,
            stream="personal",
            kind=kind,
            org_path=row["org_path"],
            payload=payload,
            subject=member["id"],
        )


class RuleRun(msgspec.Struct, frozen=True, kw_only=True):
    """What one pass of a rule changed (ids of the warnings)."""

    raised: list[int]
    escalated: list[int]
    resolved: list[int]
    skipped: bool = False  # another node held the pass


async def announce_pass(
    conn: PgConn, raised: list[Any], escalated: list[Any], resolved: list[Any]
) -> RuleRun:
    """Announce what a rule's pass changed (``early_warnings`` rows), in its transaction."""
    for kind, rows in (
        ("warning.raised", raised),
        ("warning.escalated", escalated),
        ("warning.resolved", resolved),
    ):
        for row in rows:
            await announce(conn, kind, row)
    return RuleRun(
        raised=[r["id"] for r in raised],
        escalated=[r["id"] for r in escalated],
        resolved=[r["id"] for r in resolved],
    )


async def live_about(
    conn: PgConn, *, patient_id: str | None, address_id: str | None
) -> list[WarningNote]:
    """The live warnings about a patient and an address (an incident's subject and place)."""
    if patient_id is None and address_id is None:
        return []
    rows = await conn.fetch(
        """
        SELECT id, rule, level, state, raised_at FROM early_warnings
        WHERE state <> 'resolved'
          AND ((rule = ANY($1::text[]) AND subject_id = $2) OR (rule = $3 AND subject_id = $4))
        ORDER BY level = 'serious' DESC, raised_at
        """,
        _ABOUT_PATIENT,
        patient_id,
        REPEAT_CALLS,
        address_id,
    )
    return [msgspec.convert(dict(r), WarningNote) for r in rows]


async def live_at(
    conn: PgConn, *, patient_id: str | None, address_id: str | None, moment: datetime
) -> list[ForeseenWarning]:
    """The warnings about a patient and an address that were live at ``moment`` (raised before
    it, not yet resolved then), oldest first. What it says of acknowledgement is as of now."""
    if patient_id is None and address_id is None:
        return []
    rows = await conn.fetch(
        f"""
        SELECT w.id, w.rule, w.level, w.raised_at, w.acknowledged_at, w.ack_note,
               u.display_name AS acknowledged_by_name,
               round((extract(epoch FROM $5 - w.raised_at) / 86400)::numeric, 1)::float8
                   AS days_before_call
        {_FROM}
        WHERE w.raised_at <= $5 AND (w.resolved_at IS NULL OR w.resolved_at > $5)
          AND ((w.rule = ANY($1::text[]) AND w.subject_id = $2)
               OR (w.rule = $3 AND w.subject_id = $4))
        ORDER BY w.raised_at, w.id
        """,
        _ABOUT_PATIENT,
        patient_id,
        REPEAT_CALLS,
        address_id,
        moment,
    )
    return [msgspec.convert(dict(r), ForeseenWarning) for r in rows]


async def list_warnings(
    conn: PgConn,
    scope: str,
    *,
    state: str,
    rule: str | None,
    limit: int,
    rules: list[str] | None = None,
) -> WarningPage:
    """Warnings whose org path lies in ``scope``: ``state`` is one state or ``live`` (open and
    acknowledged); serious first among the live, then newest first. ``rules``: only these rules
    (what the caller may see), in the list and the totals alike."""
    args: list[Any] = [scope, limit, rules]
    where = jurisdiction_sql("w.org_path", 1) + " AND ($3::text[] IS NULL OR w.rule = ANY($3))"
    if state == "live":
        where += " AND w.state <> 'resolved'"
    else:
        args.append(state)
        where += f" AND w.state = ${len(args)}"
    if rule is not None:
        args.append(rule)
        where += f" AND w.rule = ${len(args)}"
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} {_FROM} WHERE {where} "
        "ORDER BY (w.state <> 'resolved' AND w.level = 'serious') DESC, w.raised_at DESC, w.id DESC "
        "LIMIT $2",
        *args,
    )
    totals: Any = await conn.fetchrow(
        f"""
        SELECT count(*) FILTER (WHERE state = 'open') AS open,
               count(*) FILTER (WHERE state = 'acknowledged') AS acknowledged,
               count(*) FILTER (WHERE level = 'serious') AS serious
        FROM early_warnings w WHERE state <> 'resolved' AND {jurisdiction_sql("w.org_path", 1)}
          AND ($2::text[] IS NULL OR w.rule = ANY($2))
        """,
        scope,
        rules,
    )
    return WarningPage(
        items=[_view(r) for r in rows],
        open=totals["open"],
        acknowledged=totals["acknowledged"],
        serious=totals["serious"],
    )


async def per_unit(
    conn: PgConn, scope: str, level: str, coverage: Mapping[str, tuple[int, int]]
) -> UnitWarningPage:
    """Live warnings counted per org unit of ``level`` inside ``scope``, zero included; the
    units with serious ones first, then the busiest. ``coverage``: per unit path, how many
    high-risk patients the follow-up rule watches and how many of them are overdue."""
    rows = await conn.fetch(
        f"""
        SELECT u.path AS org_path, u.name_zh, u.name_en,
               count(w.id) FILTER (WHERE w.state = 'open') AS open,
               count(w.id) FILTER (WHERE w.state = 'acknowledged') AS acknowledged,
               count(w.id) FILTER (WHERE w.level = 'serious') AS serious
        FROM org_units u
        LEFT JOIN early_warnings w ON w.state <> 'resolved'
             AND (w.org_path = u.path OR w.org_path LIKE u.path || '.%')
        WHERE u.level = $2 AND {jurisdiction_sql("u.path", 1)}
        GROUP BY u.path, u.name_zh, u.name_en
        ORDER BY 6 DESC, count(w.id) DESC, u.path
        """,
        scope,
        level,
    )
    units = []
    for r in rows:
        high_risk, overdue = coverage.get(r["org_path"], (0, 0))
        units.append(
            msgspec.convert({**dict(r), "high_risk": high_risk, "overdue": overdue}, UnitWarnings)
        )
    return UnitWarningPage(level=level, units=units)


async def acknowledge(
    conn: PgConn, auditor: Auditor, warning_id: int, note: str, rules: list[str] | None = None
) -> WarningView:
    """Mark an open warning as taken in hand; 404 outside the caller's jurisdiction or of a rule
    not in ``rules`` (when given), 409 when it is not open any more."""
    principal = auditor.caller.principal
    row: Any = await conn.fetchrow(
        "SELECT * FROM early_warnings WHERE id = $1 FOR UPDATE", warning_id
    )
    hidden = row is not None and rules is not None and row["rule"] not in rules
    if row is None or hidden or not principal.covers(row["org_path"]):
        raise NotFound(f"no warning {warning_id}")
    state: WarningState = row["state"]
    if state != "open":
        raise Conflict(
            f"warning {warning_id} is {state}, not open", field="state", code="warning_not_open"
        )
    row = await conn.fetchrow(
        """
        UPDATE early_warnings SET state = 'acknowledged', acknowledged_by = $2::uuid,
               acknowledged_at = now(), ack_note = $3
        WHERE id = $1 RETURNING *
        """,
        warning_id,
        principal.user_id,
        note,
    )
    await auditor.record(
        conn,
        "warning.acknowledge",
        object_type="warning",
        object_id=str(warning_id),
        org_path=row["org_path"],
    )
    await announce(conn, "warning.acknowledged", row)
    view = await conn.fetchrow(f"SELECT {_COLUMNS} {_FROM} WHERE w.id = $1", warning_id)
    return _view(view)


async def reopen_lapsed(conn: PgConn, now: datetime, after: timedelta) -> list[int]:
    """Open again each warning taken in hand longer than ``after`` ago and still live: taking
    a warning in hand is a promise to act, and one not kept comes back to everyone. Who had it
    and their note stay on the row. Safe on several nodes at once (row locks; the second
    pass finds the rows open already). Must run inside a transaction."""
    rows = await conn.fetch(
        """
        UPDATE early_warnings SET state = 'open'
        WHERE state = 'acknowledged' AND acknowledged_at < $1
        RETURNING *
        """,
        now - after,
    )
    for row in rows:
        await announce(conn, "warning.reopened", row)
    return [row["id"] for row in rows]


async def resolve_for_subject(
    conn: PgConn, rule: str, subject_id: str, resolution: str
) -> list[int]:
    """Resolve the live warning of ``rule`` about ``subject_id``, if any; returns its id."""
    rows = await conn.fetch(
        """
        UPDATE early_warnings SET state = 'resolved', resolved_at = now(), resolution = $3
        WHERE rule = $1 AND subject_id = $2 AND state <> 'resolved' RETURNING *
        """,
        rule,
        subject_id,
        resolution,
    )
    for row in rows:
        await announce(conn, "warning.resolved", row)
    return [row["id"] for row in rows]
