"""Assessments and sessions about one person: jurisdiction, sealing, audit, the crisis warning.

Who may record may read the answers and the notes; both are sealed at rest. Every read of a
person's record and every write is audited under the person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.errors import Conflict, Unprocessable
from backend.psych.crisis import live_crisis, raise_crisis, resolve_crisis
from backend.psych.models import (
    AssessmentCreate,
    AssessmentRecorded,
    AssessmentView,
    PersonPsych,
    ServiceCreate,
    ServiceRecorded,
    ServiceView,
)
from backend.psych.scales import AnswerError, score
from backend.record_time import check_record_time
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.person_scope import person_in_scope
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgConn

ANSWERS_CONTEXT = b"psych_answers"
NOTES_CONTEXT = b"psych_notes"


def _answers_text(answers: list[int]) -> str:
    return "".join(str(a) for a in answers)


def _assessment(cipher: FieldCipher, row: Any, *, show: bool) -> AssessmentView:
    answers = None
    if show:
        text = cipher.decrypt(bytes(row["answers_enc"]), context=ANSWERS_CONTEXT)
        answers = [int(c) for c in text]
    return AssessmentView(
        id=str(row["id"]),
        person_id=str(row["person_id"]),
        scale=row["scale"],
        score=row["score"],
        band=row["band"],
        self_harm=row["self_harm"],
        answers=answers,
        at=row["at"],
        by_name=row["by_name"],
        org_path=row["org_path"],
        recorded_at=row["recorded_at"],
    )


def _service(cipher: FieldCipher, row: Any, *, show: bool) -> ServiceView:
    notes = cipher.unseal(row["notes_enc"], context=NOTES_CONTEXT, show=show)
    return ServiceView(
        id=str(row["id"]),
        person_id=str(row["person_id"]),
        kind=row["kind"],
        at=row["at"],
        minutes=row["minutes"],
        outcome=row["outcome"],
        notes=notes,
        by_name=row["by_name"],
        org_path=row["org_path"],
        recorded_at=row["recorded_at"],
    )


async def record_assessment(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, data: AssessmentCreate, now: datetime
) -> AssessmentRecorded:
    """Score and store one assessment (once, whatever the retries) and raise the crisis warning
    it finds. Call it outside a transaction: a denial (404) stays recorded. 422 naming the item
    for answers that do not fit the scale; 409 when the id was used for another form."""
    try:
        person = await person_in_scope(conn, auditor, data.person_id, "psych.assess")
        check_record_time(data.at, now)
        scored = score(data.scale, data.answers, key_group=person["key_group"])
    except AnswerError as e:
        field = "answers" if e.index is None else f"answers[{e.index}]"
        code = "wrong_count" if e.index is None else "out_of_range"
        raise Unprocessable(str(e), field=field, code=code) from None
    principal = auditor.caller.principal
    async with conn.transaction():
        row: Any = await conn.fetchrow(
            """
            INSERT INTO psych_assessments (id, person_id, scale, answers_enc, score, band,
                                           self_harm, at, by_user, by_name, org_path)
            VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9::uuid, $10, $11)
            ON CONFLICT (id) DO NOTHING RETURNING *
            """,
            data.id,
            person["id"],
            data.scale,
            cipher.encrypt(_answers_text(data.answers), context=ANSWERS_CONTEXT),
            scored.score,
            scored.band,
            scored.self_harm,
            data.at,
            principal.user_id,
            principal.display_name,
            person["org_path"],
        )
        duplicate = row is None
        if duplicate:
            row = await conn.fetchrow(
                "SELECT * FROM psych_assessments WHERE id = $1::uuid", data.id
            )
            same = (
                str(row["person_id"]) == person["id"]
                and row["scale"] == data.scale
                and row["at"] == data.at
                and cipher.decrypt(bytes(row["answers_enc"]), context=ANSWERS_CONTEXT)
                == _answers_text(data.answers)
            )
            if not same:
                raise Conflict(
                    f"assessment {data.id} was recorded with other content",
                    field="id",
                    code="assessment_id_taken",
                )
        await auditor.record(
            conn,
            "psych.assess",
            object_type="person",
            object_id=person["id"],
            org_path=person["org_path"],
            details={"assessment": data.id, "duplicate": duplicate},
        )
        # a retry raises nothing new: the warning was raised with the first
        warning = (
            await live_crisis(conn, person["id"])
            if duplicate
            else await raise_crisis(conn, person, data.scale, scored)
        )
    return AssessmentRecorded(
        assessment=_assessment(cipher, row, show=True), duplicate=duplicate, warning=warning
    )


async def record_service(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, data: ServiceCreate, now: datetime
) -> ServiceRecorded:
    """Store one session (once, whatever the retries). A crisis intervention resolves the
    person's live crisis warning. 404 outside the jurisdiction; 409 for a reused id."""
    person = await person_in_scope(conn, auditor, data.person_id, "psych.serve")
    check_record_time(data.at, now)
    principal = auditor.caller.principal
    notes = None if data.notes is None else cipher.encrypt(data.notes, context=NOTES_CONTEXT)
    async with conn.transaction():
        row: Any = await conn.fetchrow(
            """
            INSERT INTO psych_services (id, person_id, kind, at, minutes, outcome, notes_enc,
                                        by_user, by_name, org_path)
            VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8::uuid, $9, $10)
            ON CONFLICT (id) DO NOTHING RETURNING *
            """,
            data.id,
            person["id"],
            data.kind,
            data.at,
            data.minutes,
            data.outcome,
            notes,
            principal.user_id,
            principal.display_name,
            person["org_path"],
        )
        duplicate = row is None
        if duplicate:
            row = await conn.fetchrow("SELECT * FROM psych_services WHERE id = $1::uuid", data.id)
            stored = _service(cipher, row, show=True)
            if (stored.person_id, stored.kind, stored.at, stored.minutes, stored.outcome) != (
                person["id"],
                data.kind,
                data.at,
                data.minutes,
                data.outcome,
            ) or stored.notes != data.notes:
                raise Conflict(
                    f"session {data.id} was recorded with other content",
                    field="id",
                    code="session_id_taken",
                )
        await auditor.record(
            conn,
            "psych.serve",
            object_type="person",
            object_id=person["id"],
            org_path=person["org_path"],
            details={"session": data.id, "kind": data.kind, "duplicate": duplicate},
        )
        resolved: list[int] = []
        if data.kind == "crisis_intervention" and not duplicate:
            resolved = await resolve_crisis(conn, person["id"])
    return ServiceRecorded(
        service=_service(cipher, row, show=True), duplicate=duplicate, resolved_warnings=resolved
    )


async def person_record(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, person_id: str, limit: int
) -> PersonPsych:
    """A person's assessments and sessions, newest first; the read is audited."""
    person = await person_in_scope(conn, auditor, person_id, "psych.read")
    show = auditor.caller.principal.can(Permission.PSYCH_RECORD)
    async with conn.transaction():
        assessments = await conn.fetch(
            "SELECT * FROM psych_assessments WHERE person_id = $1::uuid ORDER BY at DESC, id LIMIT $2",
            person["id"],
            limit,
        )
        services = await conn.fetch(
            "SELECT * FROM psych_services WHERE person_id = $1::uuid ORDER BY at DESC, id LIMIT $2",
            person["id"],
            limit,
        )
        await auditor.record(
            conn,
            "psych.read",
            object_type="person",
            object_id=person["id"],
            org_path=person["org_path"],
        )
    return PersonPsych(
        person_id=person["id"],
        assessments=[_assessment(cipher, r, show=show) for r in assessments],
        services=[_service(cipher, r, show=show) for r in services],
    )
