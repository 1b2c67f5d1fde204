"""Inspecting a rental house and reading it back.

An inspection is graded on the server (``checklist.assess``) and, when it is the house's latest,
sets the house's grade (the one map's rentals layer follows through its triggers), the next
inspection, and the rectifications: an item found opens one (found again, it keeps its first
deadline), an item no longer found clears it. The overdue warnings of the house and of its
cleared rectifications are resolved in the same transaction. The house's jurisdiction decides
who may see and inspect it; every read and write is audited under the house, because a
house's record says how many people live there and whether a key person is among them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from backend.early_warning.models import (
    RENTAL_HAZARD_OVERDUE,
    RENTAL_INSPECTION_OVERDUE,
    WarningNote,
)
from backend.early_warning.store import resolve_for_subject
from backend.errors import Conflict, NotFound, Unprocessable
from backend.realtime.outbox import emit
from backend.record_time import check_record_time
from backend.rentals import checklist
from backend.rentals.models import (
    AssessmentCreate,
    AssessmentRecorded,
    AssessmentView,
    HazardView,
    RentalDetail,
    RentalView,
)
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.policy import Permission
from backend.storage.postgres.pool import PgConn

NOTES_CONTEXT = b"rental_notes"
KEY_GROUPS = ["community_correction", "drug_rehab"]

# A rental house with its latest verdict, its open rectifications and its live warning.
RENTAL_SQL = """
SELECT h.id AS house_id, a.text AS address, h.building_id, h.floor, h.area_m2, h.use, h.org_path,
       h.rental_grade AS grade, s.house_id IS NOT NULL AS assessed,
       s.last_assessed_at, s.due_at,
       (SELECT count(*) FROM rental_hazards z WHERE z.house_id = h.id AND z.cleared_at IS NULL)
           AS open_hazards,
       (SELECT count(*) FROM rental_hazards z
        WHERE z.house_id = h.id AND z.cleared_at IS NULL AND z.due_at < $1) AS overdue_hazards,
       w.id AS warning_id, w.rule AS warning_rule, w.level AS warning_level,
       w.state AS warning_state, w.raised_at AS warning_raised_at
FROM houses h
JOIN addresses a ON a.id = h.address_id
LEFT JOIN rental_status s ON s.house_id = h.id
LEFT JOIN early_warnings w
       ON w.rule = 'rental_inspection_overdue' AND w.subject_id = h.id AND w.state <> 'resolved'
"""

HAZARD_SQL = """
SELECT z.*, a.text AS address FROM rental_hazards z
JOIN houses h ON h.id = z.house_id JOIN addresses a ON a.id = h.address_id
"""


def rental_view(row: Any, now: datetime) -> RentalView:
    """A ``RENTAL_SQL`` row (bound to ``now``) as the API shows it."""
    warning = None
    if row["warning_id"] is not None:
        warning = WarningNote(
            id=row["warning_id"],
            rule=row["warning_rule"],
            level=row["warning_level"],
            state=row["warning_state"],
            raised_at=row["warning_raised_at"],
        )
    return RentalView(
        house_id=row["house_id"],
        address=row["address"],
        building_id=row["building_id"],
        floor=row["floor"],
        area_m2=row["area_m2"],
        use=row["use"],
        org_path=row["org_path"],
        grade=row["grade"],
        assessed=row["assessed"],
        last_assessed_at=row["last_assessed_at"],
        due_at=row["due_at"],
        overdue=row["due_at"] is not None and row["due_at"] < now,
        open_hazards=row["open_hazards"],
        overdue_hazards=row["overdue_hazards"],
        warning=warning,
    )


def hazard_view(row: Any, now: datetime) -> HazardView:
    """A ``HAZARD_SQL`` row."""
    item = checklist.ITEMS[row["item"]]
    return HazardView(
        id=str(row["id"]),
        house_id=row["house_id"],
        address=row["address"],
        item=row["item"],
        department=item.department,
        decisive=item.decisive,
        found_at=row["found_at"],
        due_at=row["due_at"],
        overdue=row["cleared_at"] is None and row["due_at"] < now,
        cleared_at=row["cleared_at"],
        org_path=row["org_path"],
        signed_off_name=row["signed_off_name"],
    )


def _assessment_view(cipher: FieldCipher, row: Any, *, notes: bool) -> AssessmentView:
    return AssessmentView(
        id=str(row["id"]),
        house_id=row["house_id"],
        at=row["at"],
        tenants=row["tenants"],
        registered=row["registered"],
        found=list(row["found"]),
        factors=list(row["factors"]),
        score=row["score"],
        grade=row["grade"],
        notes=cipher.unseal(row["notes_enc"], context=NOTES_CONTEXT, show=notes),
        by_name=row["by_name"],
        recorded_at=row["recorded_at"],
    )


async def _house_in_scope(
    conn: PgConn, auditor: Auditor, house_id: str, action: str, now: datetime
) -> Any:
    """The house as ``RENTAL_SQL`` reads it, or a 404: for an unknown house, one that is not let,
    and one outside the jurisdiction (recorded as a denial; the answer is the same, so
    existence is not revealed)."""
    row = await conn.fetchrow(RENTAL_SQL + " WHERE h.id = $2 AND h.is_rental", now, house_id)
    if row is None:
        raise NotFound(f"no rental house {house_id}", field="house_id")
    if not auditor.caller.principal.covers(row["org_path"]):
        raise await auditor.outside(
            conn,
            action,
            object_type="house",
            object_id=house_id,
            org_path=row["org_path"],
            field="house_id",
            what="rental house",
        )
    return row


async def _view_of(conn: PgConn, house_id: str, now: datetime) -> RentalView:
    return rental_view(await conn.fetchrow(RENTAL_SQL + " WHERE h.id = $2", now, house_id), now)


def _check(data: AssessmentCreate, now: datetime) -> None:
    check_record_time(data.at, now)
    if data.registered > data.tenants:
        raise Unprocessable(
            "cannot be more than the tenants", field="registered", code="more_than_tenants"
        )
    if len(set(data.found)) != len(data.found):
        raise Unprocessable("names an item twice", field="found", code="duplicate_item")


async def _key_persons(conn: PgConn, house_id: str) -> tuple[int, int]:
    row: Any = await conn.fetchrow(
        """
        SELECT count(*) AS residents,
               count(*) FILTER (WHERE p.tags && $2::text[]
                                OR EXISTS (SELECT FROM patients pt WHERE pt.person_id = p.id))
                   AS key_persons
        FROM houses h JOIN persons p ON p.address_id = h.address_id
        WHERE h.id = $1
        """,
        house_id,
        KEY_GROUPS,
    )
    return int(row["residents"]), int(row["key_persons"])


async def assess(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    house_id: str,
    data: AssessmentCreate,
    now: datetime,
) -> AssessmentRecorded:
    """Store one inspection (once, whatever the retries) and, when it is the latest, apply its
    verdict. 404 for a house that is not let or lies outside the jurisdiction; 409 when the id
    names another inspection."""
    _check(data, now)
    principal = auditor.caller.principal
    # the scope check outside the transaction, so a denial stays recorded
    house = await _house_in_scope(conn, auditor, house_id, "rental.assess", now)
    async with conn.transaction():
        # one inspection of a house at a time: the latest-wins test below reads what is stored
        await conn.execute("SELECT FROM houses WHERE id = $1 FOR UPDATE", house_id)
        stored = await conn.fetchrow(
            "SELECT * FROM rental_assessments WHERE id = $1::uuid", data.id
        )
        if stored is not None:
            if (stored["house_id"], stored["at"], stored["tenants"], stored["registered"]) != (
                house_id,
                data.at,
                data.tenants,
                data.registered,
            ) or set(data.found) != set(stored["found"]) - set(checklist.DERIVED):
                raise Conflict(
                    f"inspection {data.id} was recorded with other content",
                    field="id",
                    code="assessment_id_taken",
                )
            latest = await conn.fetchval(
                "SELECT assessment_id FROM rental_status WHERE house_id = $1", house_id
            )
            return AssessmentRecorded(
                assessment=_assessment_view(cipher, stored, notes=True),
                house=await _view_of(conn, house_id, now),
                duplicate=True,
                latest=latest == stored["id"],
                opened_hazards=[],
                cleared_hazards=[],
                resolved_warnings=[],
            )
        _, key_persons = await _key_persons(conn, house_id)
        verdict = checklist.assess(
            set(data.found), data.tenants, data.registered, house["area_m2"], key_persons
        )
        notes = None if data.notes is None else cipher.encrypt(data.notes, context=NOTES_CONTEXT)
        row = await conn.fetchrow(
            """
            INSERT INTO rental_assessments (id, house_id, at, tenants, registered, found, factors,
                                            score, grade, notes_enc, org_path, by_user, by_name)
            VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::uuid, $13)
            ON CONFLICT (id) DO NOTHING RETURNING *
            """,
            data.id,
            house_id,
            data.at,
            data.tenants,
            data.registered,
            list(verdict.found),
            list(verdict.factors),
            verdict.score,
            verdict.grade,
            notes,
            house["org_path"],
            principal.user_id,
            principal.display_name,
        )
        if row is None:  # the id was taken meanwhile, by an inspection of another house
            raise Conflict(
                f"inspection {data.id} was recorded with other content",
                field="id",
                code="assessment_id_taken",
            )
        previous = await conn.fetchval(
            "SELECT last_assessed_at FROM rental_status WHERE house_id = $1", house_id
        )
        latest = previous is None or previous <= data.at
        opened: list[str] = []
        cleared: list[str] = []
        resolved: list[int] = []
        if latest:
            opened, cleared, resolved = await _apply(conn, house, row, verdict, now)
        await auditor.record(
            conn,
            "rental.assess",
            object_type="house",
            object_id=house_id,
            org_path=house["org_path"],
            details={"assessment": data.id, "grade": verdict.grade, "latest": latest},
        )
        # to the rentals topic (and the leaders'): the house and that it was inspected; the
        # grade and hazards are read back by whoever may see them
        await emit(
            conn,
            stream="incidents",
            kind="rental.updated",
            org_path=house["org_path"],
            payload={"house_id": house_id, "action": "inspected", "latest": latest},
        )
        return AssessmentRecorded(
            assessment=_assessment_view(cipher, row, notes=True),
            house=await _view_of(conn, house_id, now),
            duplicate=False,
            latest=latest,
            opened_hazards=opened,
            cleared_hazards=cleared,
            resolved_warnings=resolved,
        )


async def _apply(
    conn: PgConn, house: Any, row: Any, verdict: checklist.Verdict, now: datetime
) -> tuple[list[str], list[str], list[int]]:
    """Make the inspection ``row`` the house's verdict: grade, next inspection, rectifications."""
    house_id = house["house_id"]
    at = row["at"]
    due = at + timedelta(days=checklist.INSPECT_DAYS[verdict.grade])
    await conn.execute(
        """
        INSERT INTO rental_status (house_id, assessment_id, grade, last_assessed_at, due_at, org_path)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (house_id) DO UPDATE SET assessment_id = EXCLUDED.assessment_id,
            grade = EXCLUDED.grade, last_assessed_at = EXCLUDED.last_assessed_at,
            due_at = EXCLUDED.due_at, org_path = EXCLUDED.org_path
        """,
        house_id,
        row["id"],
        verdict.grade,
        at,
        due,
        house["org_path"],
    )
    await conn.execute(
        "UPDATE houses SET rental_grade = $2, updated_at = $3 "
        "WHERE id = $1 AND rental_grade IS DISTINCT FROM $2",
        house_id,
        verdict.grade,
        now,
    )
    hazards = [c for c in verdict.found if checklist.ITEMS[c].fix_days is not None]
    cleared_rows = await conn.fetch(
        """
        UPDATE rental_hazards SET cleared_at = $3, cleared_by = $4
        WHERE house_id = $1 AND cleared_at IS NULL AND NOT (item = ANY($2::text[]))
        RETURNING id, item
        """,
        house_id,
        hazards,
        at,
        row["id"],
    )
    opened: list[str] = []
    for code in hazards:
        fix_days = checklist.ITEMS[code].fix_days
        assert fix_days is not None
        inserted = await conn.fetchval(
            """
            INSERT INTO rental_hazards (id, house_id, item, department, found_at, due_at,
                                        found_by, org_path)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (house_id, item) WHERE cleared_at IS NULL DO NOTHING
            RETURNING item
            """,
            uuid.uuid4(),
            house_id,
            code,
            checklist.ITEMS[code].department,
            at,
            at + timedelta(days=fix_days),
            row["id"],
            house["org_path"],
        )
        if inserted is not None:
            opened.append(code)
    resolved: list[int] = []
    for hazard in cleared_rows:
        resolved += await resolve_for_subject(
            conn, RENTAL_HAZARD_OVERDUE, str(hazard["id"]), "rental_rectified"
        )
    if due >= now:
        resolved += await resolve_for_subject(
            conn, RENTAL_INSPECTION_OVERDUE, house_id, "rental_inspected"
        )
    return opened, [h["item"] for h in cleared_rows], resolved


async def read(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, house_id: str, now: datetime
) -> RentalDetail:
    """A rental house with its residents counted, its rectifications and its inspections; the
    read is audited under the house."""
    house = await _house_in_scope(conn, auditor, house_id, "rental.read", now)
    async with conn.transaction():
        residents, key_persons = await _key_persons(conn, house_id)
        hazards = await conn.fetch(
            HAZARD_SQL + " WHERE z.house_id = $1 "
            "ORDER BY z.cleared_at IS NULL DESC, z.cleared_at DESC, z.due_at, z.item LIMIT 100",
            house_id,
        )
        assessments = await conn.fetch(
            "SELECT * FROM rental_assessments WHERE house_id = $1 ORDER BY at DESC, id LIMIT 100",
            house_id,
        )
        await auditor.record(
            conn,
            "rental.read",
            object_type="house",
            object_id=house_id,
            org_path=house["org_path"],
        )
    notes = auditor.caller.principal.can(Permission.RENTAL_WRITE)
    return RentalDetail(
        house=rental_view(house, now),
        residents=residents,
        key_persons=key_persons,
        hazards=[hazard_view(h, now) for h in hazards],
        assessments=[_assessment_view(cipher, a, notes=notes) for a in assessments],
    )
