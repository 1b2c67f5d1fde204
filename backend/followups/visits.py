"""Recording a follow-up visit and reading a patient's visits: jurisdiction, audit, the due date.

A visit is the latest on record unless one made later is already there; the latest sets the
patient's risk grade, last visit and next due date. A visit recorded late (a paper form typed in
afterwards) joins the record and changes none of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.early_warning.models import FOLLOW_UP_OVERDUE
from backend.early_warning.store import resolve_for_subject
from backend.errors import Conflict, Unprocessable
from backend.followups.models import FollowUpCreate, FollowUpPage, FollowUpRecorded, FollowUpView
from backend.followups.policy import FollowUpPolicy, due_sql
from backend.followups.scope import canonical_id, patient_in_scope
from backend.realtime.outbox import emit
from backend.record_time import check_record_time
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgConn

NOTES_CONTEXT = b"follow_up_notes"
_COMPARED = ("at", "kind", "condition", "risk_grade", "medication")


def _view(cipher: FieldCipher, row: Any, *, show_notes: bool) -> FollowUpView:
    notes = cipher.unseal(row["notes_enc"], context=NOTES_CONTEXT, show=show_notes)
    return FollowUpView(
        id=str(row["id"]),
        patient_id=str(row["patient_id"]),
        by_user=str(row["by_user"]),
        by_name=row["by_name"],
        at=row["at"],
        kind=row["kind"],
        condition=row["condition"],
        risk_grade=row["risk_grade"],
        medication=row["medication"],
        notes=notes,
        notes_hidden=row["notes_enc"] is not None and not show_notes,
        next_due_at=row["next_due_at"],
        recorded_at=row["recorded_at"],
    )


async def patient_due_at(conn: PgConn, policy: FollowUpPolicy, patient_id: str) -> datetime:
    """The patient's follow-up due date as the rule reads it."""
    due: datetime = await conn.fetchval(
        f"SELECT {due_sql(1)} FROM patients p WHERE p.person_id = $2::uuid",
        policy.days_by_grade(),
        patient_id,
    )
    return due


def _check_times(data: FollowUpCreate, policy: FollowUpPolicy, now: datetime) -> None:
    check_record_time(data.at, now, what="the visit ")
    if data.next_due_at is None:
        return
    if data.next_due_at <= data.at:
        raise Unprocessable(
            "the next visit must come after this one", field="next_due_at", code="before_visit"
        )
    latest = policy.next_due(data.at, data.risk_grade, data.condition)
    if data.next_due_at > latest:
        raise Unprocessable(
            f"later than the rule allows: a patient of risk grade {data.risk_grade} found "
            f"{data.condition.replace('_', ' ')} is due again by {latest.date().isoformat()}",
            field="next_due_at",
            code="later_than_rule",
        )


async def record_follow_up(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    policy: FollowUpPolicy,
    patient_id: str,
    data: FollowUpCreate,
    now: datetime,
) -> FollowUpRecorded:
    """Store one visit (once, whatever the retries) and what follows from it. Call it outside a
    transaction: it opens its own once the patient is known to be in scope, so a denial stays
    recorded. 404 for an unknown patient or one outside the jurisdiction; 422 naming the field
    for impossible times; 409 when the id was used for another visit."""
    patient_id = await canonical_id(conn, auditor, patient_id, "follow_up.record")
    _check_times(data, policy, now)
    async with conn.transaction():
        return await _record(conn, cipher, auditor, policy, patient_id, data, now)


async def _record(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    policy: FollowUpPolicy,
    patient_id: str,
    data: FollowUpCreate,
    now: datetime,
) -> FollowUpRecorded:
    principal = auditor.caller.principal
    patient = await patient_in_scope(conn, auditor, patient_id, "follow_up.record", lock=True)
    next_due = policy.next_due(data.at, data.risk_grade, data.condition, data.next_due_at)
    notes = None if data.notes is None else cipher.encrypt(data.notes, context=NOTES_CONTEXT)
    row = await conn.fetchrow(
        """
        INSERT INTO follow_ups (id, patient_id, by_user, by_name, at, kind, condition, risk_grade,
                                medication, notes_enc, next_due_at, org_path)
        VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (id) DO NOTHING RETURNING *
        """,
        data.id,
        patient_id,
        principal.user_id,
        principal.display_name,
        data.at,
        data.kind,
        data.condition,
        data.risk_grade,
        data.medication,
        notes,
        next_due,
        patient["org_path"],
    )
    duplicate = row is None
    resolved: list[int] = []
    if row is None:
        row = await conn.fetchrow("SELECT * FROM follow_ups WHERE id = $1::uuid", data.id)
        same = (
            row is not None
            and str(row["patient_id"]) == patient_id
            and str(row["by_user"]) == principal.user_id
            and all(row[f] == getattr(data, f) for f in _COMPARED)
        )
        if not same:
            raise Conflict(
                "this id names another visit; make a new id for a new visit",
                field="id",
                code="follow_up_id_taken",
            )
    else:
        last = patient["last_follow_up_at"]
        if last is None or data.at >= last:
            await conn.execute(
                """
                UPDATE patients SET risk_grade = $2, last_follow_up_at = $3, follow_up_due_at = $4,
                       updated_at = now()
                WHERE person_id = $1::uuid
                """,
                patient_id,
                data.risk_grade,
                data.at,
                next_due,
            )
    due = await patient_due_at(conn, policy, patient_id)
    if not duplicate:
        if due > now:
            resolved = await resolve_for_subject(
                conn, FOLLOW_UP_OVERDUE, patient_id, "follow_up_recorded"
            )
        await _tell_the_team(conn, row, principal.user_id)
    await auditor.record(
        conn,
        "follow_up.record",
        object_type="patient",
        object_id=patient_id,
        org_path=patient["org_path"],
        details={"follow_up_id": data.id, "duplicate": duplicate},
    )
    return FollowUpRecorded(
        follow_up=_view(cipher, row, show_notes=True),
        duplicate=duplicate,
        due_at=due,
        resolved_warnings=resolved,
    )


async def _tell_the_team(conn: PgConn, row: Any, author: str) -> None:
    """One visit, shared by all: each other member of the care team hears of it."""
    team = await conn.fetch(
        "SELECT DISTINCT user_id::text AS id FROM care_team_members WHERE patient_id = $1 AND user_id <> $2::uuid",
        row["patient_id"],
        author,
    )
    payload = {
        "follow_up_id": str(row["id"]),
        "patient_id": str(row["patient_id"]),
        "at": row["at"].isoformat(),
        "kind": row["kind"],
        "condition": row["condition"],
        "risk_grade": row["risk_grade"],
        "by_name": row["by_name"],
        "next_due_at": row["next_due_at"].isoformat(),
    }
    for member in team:
        await emit(
            conn,
            stream="personal",
            kind="follow_up.recorded",
            org_path=row["org_path"],
            payload=payload,
            subject=member["id"],
        )


async def list_follow_ups(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    policy: FollowUpPolicy,
    patient_id: str,
    limit: int,
) -> FollowUpPage:
    """A patient's visits, newest first; the read is audited like any read of the patient."""
    patient = await patient_in_scope(conn, auditor, patient_id, "patient.read")
    patient_id = str(patient["person_id"])
    rows = await conn.fetch(
        "SELECT * FROM follow_ups WHERE patient_id = $1::uuid ORDER BY at DESC, recorded_at DESC LIMIT $2",
        patient_id,
        limit,
    )
    show_notes = auditor.caller.principal.can(Permission.PATIENT_WRITE)
    await auditor.record(
        conn,
        "patient.read",
        object_type="patient",
        object_id=patient_id,
        org_path=patient["org_path"],
        details={"access": "jurisdiction", "follow_ups": len(rows), "notes": show_notes},
    )
    return FollowUpPage(
        items=[_view(cipher, r, show_notes=show_notes) for r in rows],
        due_at=await patient_due_at(conn, policy, patient_id),
    )
