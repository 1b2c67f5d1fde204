"""Registering a dispute and every step after: mediation, escalation up, hand-down, a new risk
judgement, closing; and reading one with its history.

Who sees a dispute: anyone with ``dispute:read`` whose jurisdiction covers where it happened or
the centre that holds it. Who acts on it: the holder's jurisdiction alone (``dispute:write``).
Details and action notes are sealed (parties' names belong there, never in the title); every
read of a dispute's details and every step is audited under the dispute. A high-risk dispute has
a live ``dispute_high_risk`` warning from the moment it is judged so until it is closed or judged
lower; every step that moves the deadline resolves its overdue warning when the new one is ahead.
Every step is announced (``dispute.updated``) on the ``disputes`` topic of the place's
jurisdiction, so other centres' open pages follow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import msgspec

from backend.disputes import policy
from backend.disputes.models import (
    ActionView,
    AssignCreate,
    CloseCreate,
    DisputeCreate,
    DisputeDetail,
    DisputeRecorded,
    DisputeView,
    EscalateCreate,
    MediationCreate,
    RiskCreate,
    UnitName,
)
from backend.disputes.party_views import parties_of
from backend.early_warning.models import DISPUTE_HIGH_RISK, DISPUTE_OVERDUE, WarningNote
from backend.early_warning.store import announce, resolve_for_subject
from backend.errors import Conflict, NotFound, Unprocessable
from backend.realtime.outbox import emit
from backend.record_time import check_record_time
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgConn

DETAILS_CONTEXT = b"dispute_details"
NOTES_CONTEXT = b"dispute_notes"

DISPUTE_SQL = """
SELECT d.*, a.text AS address, o.name_zh AS org_name, hu.name_zh AS holder_name,
       coalesce((SELECT jsonb_agg(jsonb_build_object('id', w.id, 'rule', w.rule,
                     'level', w.level, 'state', w.state, 'raised_at', w.raised_at) ORDER BY w.id)
                 FROM early_warnings w
                 WHERE w.subject_id = d.id::text AND w.state <> 'resolved'
                   AND w.rule IN ('dispute_high_risk', 'dispute_overdue')), '[]') AS warnings
FROM disputes d
LEFT JOIN addresses a ON a.id = d.address_id
LEFT JOIN org_units o ON o.path = d.org_path
LEFT JOIN org_units hu ON hu.path = d.holder_path
"""

Action = MediationCreate | EscalateCreate | AssignCreate | RiskCreate | CloseCreate


def dispute_view(row: Any, caller_path: str, now: datetime) -> DisputeView:
    """A ``DISPUTE_SQL`` row as the caller sees it."""
    live = row["status"] in policy.LIVE
    holder = row["holder_path"]
    return DisputeView(
        id=str(row["id"]),
        kind=row["kind"],
        title=row["title"],
        parties=row["parties"],
        risk=row["risk"],
        source=row["source"],
        address=row["address"],
        org_path=row["org_path"],
        org_name=row["org_name"],
        holder_path=holder,
        holder_name=row["holder_name"],
        status=row["status"],
        outcome=row["outcome"],
        reported_at=row["reported_at"],
        due_at=row["due_at"],
        overdue=live and row["due_at"] < now,
        yours=live and (holder == caller_path or holder.startswith(caller_path + ".")),
        created_by_name=row["created_by_name"],
        closed_at=row["closed_at"],
        warnings=msgspec.convert(row["warnings"], list[WarningNote]),
    )


def _action_view(cipher: FieldCipher, row: Any, *, notes: bool) -> ActionView:
    return ActionView(
        id=str(row["id"]),
        kind=row["kind"],
        at=row["at"],
        from_path=row["from_path"],
        to_path=row["to_path"],
        risk=row["risk"],
        outcome=row["outcome"],
        due_at=row["due_at"],
        notes=cipher.unseal(row["notes_enc"], context=NOTES_CONTEXT, show=notes),
        by_name=row["by_name"],
        recorded_at=row["recorded_at"],
    )


async def visible(conn: PgConn, auditor: Auditor, dispute_id: str, action: str) -> Any:
    """The dispute, or a 404 (recorded as a denial when it lies outside the jurisdiction)."""
    row = await conn.fetchrow(DISPUTE_SQL + " WHERE d.id = $1::uuid", dispute_id)
    if row is None:
        raise NotFound(f"no dispute {dispute_id}", field="dispute_id")
    principal = auditor.caller.principal
    if not (principal.covers(row["org_path"]) or principal.covers(row["holder_path"])):
        raise await auditor.outside(
            conn,
            action,
            object_type="dispute",
            object_id=dispute_id,
            org_path=row["org_path"],
            field="dispute_id",
        )
    return row


async def _raise_high_risk(conn: PgConn, dispute: Any) -> None:
    row = await conn.fetchrow(
        """
        INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, details)
        VALUES ($1, 'dispute', $2, $3, 'serious', $4)
        ON CONFLICT (rule, subject_id) WHERE state <> 'resolved' DO NOTHING
        RETURNING *
        """,
        DISPUTE_HIGH_RISK,
        str(dispute["id"]),
        dispute["org_path"],
        {"kind": dispute["kind"], "title": dispute["title"], "parties": dispute["parties"]},
    )
    if row is not None:
        await announce(conn, "warning.raised", row)


async def register(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, data: DisputeCreate, now: datetime
) -> DisputeRecorded:
    """Register (once, whatever the retries). The registering user's unit holds it; it happened
    at the address, or the named unit, or the user's own unit."""
    check_record_time(data.at, now)
    principal = auditor.caller.principal
    place = principal.org_path
    if data.address_id is not None:
        place = await conn.fetchval("SELECT org_path FROM addresses WHERE id = $1", data.address_id)
        if place is None or not principal.covers(place):
            raise NotFound(f"no address {data.address_id}", field="address_id")
    elif data.org_path is not None:
        known = await conn.fetchval("SELECT true FROM org_units WHERE path = $1", data.org_path)
        if not known or not principal.covers(data.org_path):
            raise NotFound(f"no unit {data.org_path}", field="org_path")
        place = data.org_path
    details = (
        None if data.details is None else cipher.encrypt(data.details, context=DETAILS_CONTEXT)
    )
    async with conn.transaction():
        inserted = await conn.fetchrow(
            """
            INSERT INTO disputes (id, kind, title, details_enc, parties, risk, source, address_id,
                                  org_path, holder_path, reported_at, due_at, created_by,
                                  created_by_name)
            VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::uuid, $14)
            ON CONFLICT (id) DO NOTHING RETURNING *
            """,
            data.id,
            data.kind,
            data.title,
            details,
            data.parties,
            data.risk,
            data.source,
            data.address_id,
            place,
            principal.org_path,
            data.at,
            policy.due(data.risk, data.at),
            principal.user_id,
            principal.display_name,
        )
        if inserted is None:
            stored = await conn.fetchrow("SELECT * FROM disputes WHERE id = $1::uuid", data.id)
            same = stored is not None and (
                stored["kind"],
                stored["title"],
                stored["reported_at"],
                str(stored["created_by"]),
            ) == (data.kind, data.title, data.at, principal.user_id)
            if not same:
                raise Conflict(
                    f"dispute {data.id} was registered with other content",
                    field="id",
                    code="dispute_id_taken",
                )
            first = await conn.fetchrow(
                "SELECT * FROM dispute_actions WHERE dispute_id = $1::uuid AND kind = 'registered'",
                data.id,
            )
            return await _recorded(conn, cipher, auditor, data.id, first, now, duplicate=True)
        action = await _insert_action(
            conn,
            cipher,
            auditor,
            inserted,
            action_id=data.id,
            kind="registered",
            at=data.at,
            to_path=principal.org_path,
            risk=data.risk,
            due_at=inserted["due_at"],
        )
        if data.risk == "high":
            await _raise_high_risk(conn, inserted)
        return await _recorded(conn, cipher, auditor, data.id, action, now, duplicate=False)


async def _insert_action(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute: Any,
    *,
    action_id: str,
    kind: str,
    at: datetime,
    from_path: str | None = None,
    to_path: str | None = None,
    risk: str | None = None,
    outcome: str | None = None,
    due_at: datetime | None = None,
    notes: str | None = None,
) -> Any:
    principal = auditor.caller.principal
    row = await conn.fetchrow(
        """
        INSERT INTO dispute_actions (id, dispute_id, kind, at, from_path, to_path, risk, outcome,
                                     due_at, notes_enc, by_user, by_name)
        VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::uuid, $12)
        ON CONFLICT (id) DO NOTHING RETURNING *
        """,
        action_id,
        dispute["id"],
        kind,
        at,
        from_path,
        to_path,
        risk,
        outcome,
        due_at,
        None if notes is None else cipher.encrypt(notes, context=NOTES_CONTEXT),
        principal.user_id,
        principal.display_name,
    )
    if row is None:  # the id was taken meanwhile, by another dispute's action
        raise Conflict(
            f"action {action_id} was recorded with other content",
            field="id",
            code="action_id_taken",
        )
    # announced under where it happened, which the holder always covers (registering: the place
    # is in the registrar's jurisdiction; up and down: along the path to it): ids and words only
    await emit(
        conn,
        stream="incidents",
        kind="dispute.updated",
        org_path=dispute["org_path"],
        payload={"dispute_id": str(dispute["id"]), "action": kind, "action_id": action_id},
    )
    await auditor.record(
        conn,
        f"dispute.{kind}",
        object_type="dispute",
        object_id=str(dispute["id"]),
        org_path=dispute["org_path"],
        details={"action": action_id, "to": to_path, "risk": risk, "outcome": outcome},
    )
    return row


async def _recorded(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute_id: str,
    action: Any,
    now: datetime,
    *,
    duplicate: bool,
    resolved: list[int] | None = None,
) -> DisputeRecorded:
    row: Any = await conn.fetchrow(DISPUTE_SQL + " WHERE d.id = $1::uuid", dispute_id)
    return DisputeRecorded(
        dispute=dispute_view(row, auditor.caller.principal.org_path, now),
        action=_action_view(cipher, action, notes=True),
        duplicate=duplicate,
        resolved_warnings=resolved or [],
    )


Step = Callable[
    [PgConn, FieldCipher, Auditor, Any, Any, datetime], Awaitable[tuple[Any, list[int]]]
]


async def _mediate(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute: Any,
    data: MediationCreate,
    now: datetime,
) -> tuple[Any, list[int]]:
    action = await _insert_action(
        conn, cipher, auditor, dispute, action_id=data.id, kind="mediation", at=data.at,
        notes=data.notes,
    )  # fmt: skip
    await conn.execute("UPDATE disputes SET status = 'mediating' WHERE id = $1", dispute["id"])
    return action, []


async def _move(
    conn: PgConn, dispute: Any, holder: str, due_at: datetime, kind: str, now: datetime
) -> list[int]:
    await conn.execute(
        "UPDATE disputes SET holder_path = $2, due_at = $3, status = 'open' WHERE id = $1",
        dispute["id"],
        holder,
        due_at,
    )
    return await _new_deadline(conn, dispute, due_at, kind, now)


async def _new_deadline(
    conn: PgConn, dispute: Any, due_at: datetime, kind: str, now: datetime
) -> list[int]:
    # a deadline ahead settles the overdue warning; one still behind keeps it
    if due_at < now:
        return []
    return await resolve_for_subject(conn, DISPUTE_OVERDUE, str(dispute["id"]), kind)


async def _escalate(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute: Any,
    data: EscalateCreate,
    now: datetime,
) -> tuple[Any, list[int]]:
    holder = dispute["holder_path"]
    up = policy.parent(holder)
    if up is None:
        raise Unprocessable(
            "the district centre has no centre above it", field="dispute_id", code="at_top"
        )
    due_at = policy.due(dispute["risk"], data.at)
    action = await _insert_action(
        conn, cipher, auditor, dispute, action_id=data.id, kind="escalated", at=data.at,
        from_path=holder, to_path=up, due_at=due_at, notes=data.reason,
    )  # fmt: skip
    return action, await _move(conn, dispute, up, due_at, "escalated", now)


async def _assign(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute: Any,
    data: AssignCreate,
    now: datetime,
) -> tuple[Any, list[int]]:
    holder = dispute["holder_path"]
    if not policy.may_assign(holder, data.to_path, dispute["org_path"]):
        raise Unprocessable(
            "hand a dispute down only to a unit below the centre that holds it, on the way to "
            "where it happened",
            field="to_path",
            code="not_on_the_way",
        )
    if not await conn.fetchval("SELECT true FROM org_units WHERE path = $1", data.to_path):
        raise Unprocessable("no such unit", field="to_path", code="unknown_unit")
    due_at = data.at + timedelta(days=data.due_days)
    action = await _insert_action(
        conn, cipher, auditor, dispute, action_id=data.id, kind="assigned", at=data.at,
        from_path=holder, to_path=data.to_path, due_at=due_at, notes=data.notes,
    )  # fmt: skip
    return action, await _move(conn, dispute, data.to_path, due_at, "assigned", now)


async def judge(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute: Any,
    data: RiskCreate,
    now: datetime,
) -> tuple[Any, list[int]]:
    due_at = min(dispute["due_at"], policy.due(data.risk, data.at))
    action = await _insert_action(
        conn, cipher, auditor, dispute, action_id=data.id, kind="risk", at=data.at,
        risk=data.risk, due_at=due_at, notes=data.notes,
    )  # fmt: skip
    await conn.execute(
        "UPDATE disputes SET risk = $2, due_at = $3 WHERE id = $1", dispute["id"], data.risk, due_at
    )
    if data.risk == "high":
        await _raise_high_risk(conn, dispute)
        return action, []
    return action, await resolve_for_subject(
        conn, DISPUTE_HIGH_RISK, str(dispute["id"]), "risk_lowered"
    )


async def _close(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute: Any,
    data: CloseCreate,
    now: datetime,
) -> tuple[Any, list[int]]:
    status = "resolved" if data.outcome in ("agreement", "withdrawn") else "referred"
    action = await _insert_action(
        conn, cipher, auditor, dispute, action_id=data.id, kind=status, at=data.at,
        outcome=data.outcome, notes=data.notes,
    )  # fmt: skip
    await conn.execute(
        "UPDATE disputes SET status = $2, outcome = $3, closed_at = $4 WHERE id = $1",
        dispute["id"],
        status,
        data.outcome,
        data.at,
    )
    subject = str(dispute["id"])
    resolved = await resolve_for_subject(conn, DISPUTE_HIGH_RISK, subject, status)
    return action, resolved + await resolve_for_subject(conn, DISPUTE_OVERDUE, subject, status)


# each step: the action kinds it is stored as (a resend is matched on them), and its work
_STEPS: dict[type, tuple[tuple[str, ...], Step]] = {
    MediationCreate: (("mediation",), _mediate),
    EscalateCreate: (("escalated",), _escalate),
    AssignCreate: (("assigned",), _assign),
    RiskCreate: (("risk",), judge),
    CloseCreate: (("resolved", "referred"), _close),
}


async def act(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    dispute_id: str,
    data: Action,
    now: datetime,
) -> DisputeRecorded:
    """One step on a live dispute the caller's jurisdiction holds (once, whatever the retries).
    404 when invisible; 409 when another centre holds it, when it is closed, or when the id
    names another step; 422 for a move the tree does not allow."""
    check_record_time(data.at, now)
    kinds, step = _STEPS[type(data)]
    # the scope check outside the transaction, so a denial stays recorded
    await visible(conn, auditor, dispute_id, f"dispute.{kinds[0]}")
    async with conn.transaction():
        dispute: Any = await conn.fetchrow(
            "SELECT * FROM disputes WHERE id = $1::uuid FOR UPDATE", dispute_id
        )
        stored = await conn.fetchrow("SELECT * FROM dispute_actions WHERE id = $1::uuid", data.id)
        if stored is not None:
            same = (str(stored["dispute_id"]), stored["at"]) == (dispute_id, data.at)
            if not same or stored["kind"] not in kinds:
                raise Conflict(
                    f"action {data.id} was recorded with other content",
                    field="id",
                    code="action_id_taken",
                )
            return await _recorded(conn, cipher, auditor, dispute_id, stored, now, duplicate=True)
        if dispute["status"] not in policy.LIVE:
            raise Conflict("the dispute is closed", field="dispute_id", code="dispute_closed")
        if not auditor.caller.principal.covers(dispute["holder_path"]):
            raise Conflict(
                "another centre holds this dispute; only the holder acts on it",
                field="dispute_id",
                code="held_elsewhere",
            )
        action, resolved = await step(conn, cipher, auditor, dispute, data, now)
        return await _recorded(
            conn, cipher, auditor, dispute_id, action, now, duplicate=False, resolved=resolved
        )


async def _assign_targets(conn: PgConn, holder: str, origin: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT path FROM org_units WHERE path <> $1 AND path LIKE $1 || '.%' "
        "AND ($2 = path OR $2 LIKE path || '.%') ORDER BY length(path)",
        holder,
        origin,
    )
    return [r["path"] for r in rows]


async def read(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, dispute_id: str, now: datetime
) -> DisputeDetail:
    """A dispute with its history; audited under the dispute. Details and notes for those who
    work disputes."""
    row = await visible(conn, auditor, dispute_id, "dispute.read")
    principal = auditor.caller.principal
    async with conn.transaction():
        actions = await conn.fetch(
            "SELECT * FROM dispute_actions WHERE dispute_id = $1 ORDER BY at, recorded_at LIMIT 500",
            row["id"],
        )
        parties = await parties_of(conn, auditor, dispute_id)
        await auditor.record(
            conn,
            "dispute.read",
            object_type="dispute",
            object_id=dispute_id,
            org_path=row["org_path"],
        )
    notes = principal.can(Permission.DISPUTE_WRITE)
    holder = row["holder_path"]
    live = row["status"] in policy.LIVE
    escalate_to = policy.parent(holder) if live else None
    assign_to = await _assign_targets(conn, holder, row["org_path"]) if live else []
    named = {row["org_path"], holder, *assign_to}
    named |= {p for a in actions for p in (a["from_path"], a["to_path"]) if p}
    if escalate_to:
        named.add(escalate_to)
    units = await conn.fetch(
        "SELECT path AS org_path, name_zh, name_en FROM org_units WHERE path = ANY($1::text[]) "
        "ORDER BY path",
        sorted(named),
    )
    return DisputeDetail(
        dispute=dispute_view(row, principal.org_path, now),
        details=cipher.unseal(row["details_enc"], context=DETAILS_CONTEXT, show=notes),
        actions=[_action_view(cipher, a, notes=notes) for a in actions],
        escalate_to=escalate_to,
        assign_to=assign_to,
        units=[UnitName(**dict(u)) for u in units],
        parties_linked=parties,
    )
