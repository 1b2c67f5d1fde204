"""Persons and patients: storage with encrypted fields, jurisdiction checks, masking, audit.

Every read of a record writes an audit row; an id outside the caller's jurisdiction answers
"not found" (its existence is not revealed) and writes a ``denied`` row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from backend.api.people.schemas import (
    Access,
    CareTeamMember,
    PatientCreate,
    PatientLookup,
    PatientView,
    PersonCreate,
    PersonLookup,
    PersonView,
)
from backend.errors import ApiError, NotFound, Unprocessable
from backend.security import masking
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.masking import NEED_TO_KNOW, PATIENT_FIELDS, PERSON_FIELDS
from backend.security.policy import Permission
from backend.security.principal import Principal, jurisdiction_sql
from backend.storage.postgres.pool import PgConn


class PersonRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A person with every field decrypted. Never leaves the server as is."""

    id: str
    org_path: str
    address_id: str | None
    address: str | None
    name: str
    id_number: str | None
    phone: str | None
    gender: str | None
    birth_year: int | None
    tags: list[str]


class PatientRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A patient with every field decrypted."""

    person: PersonRecord
    risk_grade: int
    diagnosis: str | None
    guardian_name: str | None
    guardian_phone: str | None
    de_escalation_notes: str | None
    medication: str | None
    care_team: list[CareTeamMember]
    last_follow_up_at: datetime | None


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _sealed(cipher: FieldCipher, value: str | None, kind: str) -> tuple[bytes | None, bytes | None]:
    if value is None:
        return None, None
    return cipher.encrypt(value, context=kind.encode()), cipher.blind_index(value, kind=kind)


def _open(cipher: FieldCipher, blob: bytes | None, kind: str) -> str | None:
    return None if blob is None else cipher.decrypt(bytes(blob), context=kind.encode())


async def create_person(conn: PgConn, cipher: FieldCipher, data: PersonCreate) -> str:
    """Store a person (ID and phone encrypted); the org unit comes from the address."""
    org_path = await conn.fetchval("SELECT org_path FROM addresses WHERE id = $1", data.address_id)
    if org_path is None:
        raise ApiError(
            f"unknown address {data.address_id}", field="address_id", code="unknown_address"
        )
    id_enc, id_idx = _sealed(
        cipher, data.id_number.upper() if data.id_number else None, "id_number"
    )
    phone_enc, phone_idx = _sealed(cipher, data.phone, "phone")
    person_id: uuid.UUID = await conn.fetchval(
        """
        INSERT INTO persons (external_id, name, gender, birth_year, id_number_enc, id_number_idx,
                             phone_enc, phone_idx, address_id, org_path, tags)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
        """,
        data.external_id,
        data.name,
        data.gender,
        data.birth_year,
        id_enc,
        id_idx,
        phone_enc,
        phone_idx,
        data.address_id,
        org_path,
        data.tags,
    )
    return str(person_id)


async def register_patient(
    conn: PgConn, cipher: FieldCipher, person_id: str, data: PatientCreate
) -> None:
    """Flag a person as a patient under management."""
    phone_enc, phone_idx = _sealed(cipher, data.guardian_phone, "phone")
    await conn.execute(
        """
        INSERT INTO patients (person_id, risk_grade, diagnosis, guardian_name, guardian_phone_enc,
                              guardian_phone_idx, de_escalation_notes, medication, managed_since, org_path)
        SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, org_path FROM persons WHERE id = $1
        """,
        uuid.UUID(person_id),
        data.risk_grade,
        data.diagnosis,
        data.guardian_name,
        phone_enc,
        phone_idx,
        data.de_escalation_notes,
        data.medication,
        data.managed_since,
    )


_PERSON_SQL = """
    SELECT p.id::text AS id, p.org_path, p.address_id, a.text AS address, p.name, p.id_number_enc,
           p.phone_enc, p.gender, p.birth_year, p.tags
    FROM persons p LEFT JOIN addresses a ON a.id = p.address_id
"""


def _person(cipher: FieldCipher, row: Any) -> PersonRecord:
    return PersonRecord(
        id=row["id"],
        org_path=row["org_path"],
        address_id=row["address_id"],
        address=row["address"],
        name=row["name"],
        id_number=_open(cipher, row["id_number_enc"], "id_number"),
        phone=_open(cipher, row["phone_enc"], "phone"),
        gender=row["gender"],
        birth_year=row["birth_year"],
        tags=list(row["tags"]),
    )


def person_view(record: PersonRecord, roles: frozenset[str]) -> PersonView:
    """Mask a person for ``roles``."""
    shown = {f: masking.apply("person", f, getattr(record, f), roles) for f in PERSON_FIELDS}
    masked = any(shown[f] != getattr(record, f) for f in PERSON_FIELDS)
    base = {"id": record.id, "org_path": record.org_path, "address_id": record.address_id}
    return msgspec.convert({**base, "masked": masked, **shown}, PersonView)


def patient_view(record: PatientRecord, roles: frozenset[str], access: Access) -> PatientView:
    """Mask a patient for ``roles``."""
    shown = {f: masking.apply("patient", f, getattr(record, f), roles) for f in PATIENT_FIELDS}
    base = {"person": person_view(record.person, roles), "access": access}
    return msgspec.convert(
        {**base, "last_follow_up_at": record.last_follow_up_at, **shown}, PatientView
    )


async def _deny(
    conn: PgConn, auditor: Auditor, object_type: str, object_id: str, org_path: str | None
) -> NotFound:
    return await auditor.outside(
        conn,
        f"{object_type}.read",
        object_type=object_type,
        object_id=object_id,
        org_path=org_path,
        field=f"{object_type}_id",
    )


async def load_person(conn: PgConn, cipher: FieldCipher, person_id: str) -> PersonRecord | None:
    """The decrypted person, or None."""
    pid = _uuid(person_id)
    row = await conn.fetchrow(_PERSON_SQL + " WHERE p.id = $1", pid) if pid else None
    return _person(cipher, row) if row else None


async def read_person(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, person_id: str
) -> PersonView:
    """One person, masked for the caller; audited; 404 outside the jurisdiction."""
    principal = auditor.caller.principal
    record = await load_person(conn, cipher, person_id)
    if record is None:
        raise NotFound(f"no person {person_id}")
    if not principal.covers(record.org_path):
        raise await _deny(conn, auditor, "person", person_id, record.org_path)
    await auditor.record(
        conn, "person.read", object_type="person", object_id=record.id, org_path=record.org_path
    )
    return person_view(record, frozenset(principal.roles))


async def reveal_person(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, person_id: str, reason: str
) -> PersonView:
    """The whole record, unmasked, for a permitted role with a written reason (audited)."""
    principal = auditor.caller.principal
    record = await load_person(conn, cipher, person_id)
    if record is None:
        raise NotFound(f"no person {person_id}")
    if not principal.covers(record.org_path):
        raise await _deny(conn, auditor, "person", person_id, record.org_path)
    await auditor.record(
        conn,
        "person.reveal",
        object_type="person",
        object_id=record.id,
        org_path=record.org_path,
        reason=reason,
    )
    full = {f: getattr(record, f) for f in PERSON_FIELDS}
    return PersonView(
        id=record.id, org_path=record.org_path, address_id=record.address_id, masked=False, **full
    )


async def list_persons(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, *, address_id: str | None, limit: int
) -> list[PersonView]:
    """Persons in the caller's jurisdiction (optionally at one address), masked; each read audited."""
    principal = auditor.caller.principal
    args: list[Any] = [principal.org_path]
    where = jurisdiction_sql("p.org_path", 1)
    if address_id is not None:
        args.append(address_id)
        where += f" AND p.address_id = ${len(args)}"
    args.append(limit)
    rows = await conn.fetch(_PERSON_SQL + f" WHERE {where} ORDER BY p.id LIMIT ${len(args)}", *args)
    records = [_person(cipher, r) for r in rows]
    for record in records:
        await auditor.record(
            conn, "person.read", object_type="person", object_id=record.id, org_path=record.org_path
        )
    roles = frozenset(principal.roles)
    return [person_view(r, roles) for r in records]


async def load_patient(conn: PgConn, cipher: FieldCipher, patient_id: str) -> PatientRecord | None:
    """The decrypted patient with its care team, or None."""
    pid = _uuid(patient_id)
    if pid is None:
        return None
    person = await load_person(conn, cipher, patient_id)
    row = await conn.fetchrow("SELECT * FROM patients WHERE person_id = $1", pid)
    if person is None or row is None:
        return None
    team = await conn.fetch(
        """
        SELECT c.user_id::text AS user_id, u.display_name, c.role, c.is_primary
        FROM care_team_members c JOIN users u ON u.id = c.user_id WHERE c.patient_id = $1
        ORDER BY c.is_primary DESC, c.role
        """,
        pid,
    )
    return PatientRecord(
        person=person,
        risk_grade=row["risk_grade"],
        diagnosis=row["diagnosis"],
        guardian_name=row["guardian_name"],
        guardian_phone=_open(cipher, row["guardian_phone_enc"], "phone"),
        de_escalation_notes=row["de_escalation_notes"],
        medication=row["medication"],
        care_team=[msgspec.convert(dict(t), CareTeamMember) for t in team],
        last_follow_up_at=row["last_follow_up_at"],
    )


async def load_patient_org(conn: PgConn, patient_id: str, *, lock: bool = False) -> Any:
    """The patient's own row (org path, grade, last visit), or None; ``lock`` holds it for the
    transaction, so two visits recorded at once are applied one after the other."""
    pid = _uuid(patient_id)
    if pid is None:
        return None
    tail = " FOR UPDATE" if lock else ""
    return await conn.fetchrow(
        "SELECT person_id, org_path, risk_grade, last_follow_up_at FROM patients WHERE person_id = $1"
        + tail,
        pid,
    )


async def has_need_to_know(conn: PgConn, principal: Principal, patient_id: str) -> bool:
    """Whether an active grant (accepted incident about this patient) covers the caller."""
    pid = _uuid(patient_id)
    if pid is None:
        return False
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM patient_access_grants WHERE patient_id = $1 AND user_id = $2 AND ended_at IS NULL)",
            pid,
            uuid.UUID(principal.user_id),
        )
    )


async def read_patient(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, patient_id: str
) -> PatientView:
    """A patient for whoever may see it: jurisdiction with ``patient:read``, or a need-to-know grant."""
    principal = auditor.caller.principal
    record = await load_patient(conn, cipher, patient_id)
    if record is None:
        raise NotFound(f"no patient {patient_id}")
    org = record.person.org_path
    if principal.can(Permission.PATIENT_READ) and principal.covers(org):
        roles: frozenset[str] = frozenset(principal.roles)
        access: Access = "jurisdiction"
    elif await has_need_to_know(conn, principal, patient_id):
        roles = frozenset({NEED_TO_KNOW})
        access = "need_to_know"
    else:
        raise await _deny(conn, auditor, "patient", patient_id, org)
    await auditor.record(
        conn,
        "patient.read",
        object_type="patient",
        object_id=patient_id,
        org_path=org,
        details={"access": access},
    )
    return patient_view(record, roles, access)


async def _read_each(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, patient_ids: list[str], how: dict[str, Any]
) -> list[PatientView]:
    """Patients already known to be in the caller's jurisdiction, in the given order, each read
    audited with ``how`` saying which list or lookup it came from."""
    roles = frozenset(str(r) for r in auditor.caller.principal.roles)
    views: list[PatientView] = []
    for patient_id in patient_ids:
        record = await load_patient(conn, cipher, patient_id)
        if record is None:
            continue
        await auditor.record(
            conn,
            "patient.read",
            object_type="patient",
            object_id=patient_id,
            org_path=record.person.org_path,
            details={"access": "jurisdiction", **how},
        )
        views.append(patient_view(record, roles, "jurisdiction"))
    return views


async def list_patients(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    *,
    risk_min: int,
    limit: int,
    address_id: str | None = None,
) -> list[PatientView]:
    """Patients in the caller's jurisdiction at or above ``risk_min`` (optionally only those
    registered at one address), highest risk first; audited."""
    principal = auditor.caller.principal
    at_address = ""
    args: list[Any] = [principal.org_path, risk_min, limit]
    if address_id is not None:
        args.append(address_id)
        at_address = " AND person_id IN (SELECT id FROM persons WHERE address_id = $4)"
    ids = await conn.fetch(
        f"SELECT person_id::text AS id FROM patients WHERE {jurisdiction_sql('org_path', 1)} AND risk_grade >= $2"
        f"{at_address} ORDER BY risk_grade DESC, person_id LIMIT $3",
        *args,
    )
    return await _read_each(conn, cipher, auditor, [row["id"] for row in ids], {"list": True})


def _lookup_key(cipher: FieldCipher, lookup: PatientLookup | PersonLookup) -> tuple[str, bytes]:
    """The field a lookup names and its blind index; 422 unless exactly one is given."""
    if (lookup.id_number is None) == (lookup.phone is None):
        raise Unprocessable(
            "give either id_number or phone",
            field="id_number" if lookup.id_number is None else "phone",
            code="one_key_required",
        )
    if lookup.id_number is not None:
        return "id_number", cipher.blind_index(lookup.id_number, kind="id_number")
    assert lookup.phone is not None
    return "phone", cipher.blind_index(lookup.phone, kind="phone")


async def lookup_persons(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, lookup: PersonLookup
) -> list[PersonView]:
    """The residents in the caller's jurisdiction with this ID number or this phone number of
    their own (by the blind indexes), each read audited, masked by role. A match outside the
    jurisdiction is recorded as a denial and left out; none at all is a 404 naming the field,
    the same answer either way. Neither or both keys: 422."""
    field, key = _lookup_key(cipher, lookup)
    principal = auditor.caller.principal
    column = "p.id_number_idx" if field == "id_number" else "p.phone_idx"
    rows = await conn.fetch(_PERSON_SQL + f" WHERE {column} = $1 ORDER BY p.id LIMIT 5", key)
    views: list[PersonView] = []
    async with conn.transaction():
        for row in rows:
            record = _person(cipher, row)
            if not principal.covers(record.org_path):
                await _deny(conn, auditor, "person", record.id, record.org_path)
                continue
            await auditor.record(
                conn,
                "person.read",
                object_type="person",
                object_id=record.id,
                org_path=record.org_path,
                details={"lookup": field},
            )
            views.append(person_view(record, frozenset(principal.roles)))
    if not views:
        raise NotFound(
            f"nobody with this {field.replace('_', ' ')} in your jurisdiction",
            field=field,
            code="unknown_person",
        )
    return views


async def lookup_patients(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, lookup: PatientLookup
) -> list[PatientView]:
    """The patients in the caller's jurisdiction with this ID number, or with this phone number
    as their own or their guardian's (by the blind indexes), highest risk first, each read
    audited. A match outside the jurisdiction is recorded as a denial and left out; none at all
    is a 404 naming the field, the same answer either way. Neither or both keys: 422."""
    field, key = _lookup_key(cipher, lookup)
    principal = auditor.caller.principal
    # a phone may be the patient's own or their guardian's (often the number a call came from)
    where = (
        "p.id_number_idx = $1"
        if field == "id_number"
        else "(p.phone_idx = $1 OR pt.guardian_phone_idx = $1)"
    )
    rows = await conn.fetch(
        "SELECT pt.person_id::text AS id, p.org_path FROM patients pt JOIN persons p ON p.id = pt.person_id "
        f"WHERE {where} ORDER BY pt.risk_grade DESC, pt.person_id LIMIT 5",
        key,
    )
    covered: list[str] = []
    for row in rows:
        if principal.covers(row["org_path"]):
            covered.append(row["id"])
        else:
            await _deny(conn, auditor, "patient", row["id"], row["org_path"])
    views = await _read_each(conn, cipher, auditor, covered, {"lookup": field})
    if not views:
        raise NotFound(
            f"no registered patient with this {field.replace('_', ' ')} in your jurisdiction",
            field=field,
            code="unknown_patient",
        )
    return views
