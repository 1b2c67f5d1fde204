"""A patient's care team (family, community doctor, psychiatrist, police, social worker, …):
who hears of each visit and each warning about the patient, and who is alerted first when the
patient is in crisis (``backend/incidents/dispatcher.py``)."""

from __future__ import annotations

import msgspec

from backend.api.people.schemas import CareTeamMember
from backend.errors import NotFound
from backend.followups.models import CareTeamAdd
from backend.followups.scope import canonical_id, patient_in_scope
from backend.security.context import Auditor
from backend.storage.postgres.pool import PgConn


async def team_of(conn: PgConn, patient_id: str) -> list[CareTeamMember]:
    """The care team, primary member first."""
    rows = await conn.fetch(
        """
        SELECT c.user_id::text AS user_id, u.display_name, c.role, c.is_primary
        FROM care_team_members c JOIN users u ON u.id = c.user_id WHERE c.patient_id = $1::uuid
        ORDER BY c.is_primary DESC, c.role, u.display_name
        """,
        patient_id,
    )
    return [msgspec.convert(dict(r), CareTeamMember) for r in rows]


async def add_member(
    conn: PgConn, auditor: Auditor, patient_id: str, data: CareTeamAdd
) -> list[CareTeamMember]:
    """Put a user of the patient's district on the team (again: only ``is_primary`` changes).
    A primary member replaces the former primary. Call it outside a transaction (a denial
    stays recorded)."""
    patient_id = await canonical_id(conn, auditor, patient_id, "care_team.add")
    async with conn.transaction():
        return await _add(conn, auditor, patient_id, data)


async def _add(
    conn: PgConn, auditor: Auditor, patient_id: str, data: CareTeamAdd
) -> list[CareTeamMember]:
    org: str = (await patient_in_scope(conn, auditor, patient_id, "care_team.add", lock=True))[
        "org_path"
    ]
    district = org.split(".", 1)[0]
    known = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1::uuid AND NOT disabled "
        "AND (org_path = $2 OR org_path LIKE $2 || '.%'))",
        data.user_id,
        district,
    )
    if not known:
        raise NotFound(f"no active user {data.user_id} in this district", field="user_id")
    if data.is_primary:
        await conn.execute(
            "UPDATE care_team_members SET is_primary = false WHERE patient_id = $1::uuid",
            patient_id,
        )
    await conn.execute(
        """
        INSERT INTO care_team_members (patient_id, user_id, role, is_primary)
        VALUES ($1::uuid, $2::uuid, $3, $4)
        ON CONFLICT (patient_id, user_id, role) DO UPDATE SET is_primary = EXCLUDED.is_primary
        """,
        patient_id,
        data.user_id,
        data.role,
        data.is_primary,
    )
    await auditor.record(
        conn,
        "care_team.add",
        object_type="patient",
        object_id=patient_id,
        org_path=org,
        details={"user_id": data.user_id, "role": data.role, "is_primary": data.is_primary},
    )
    return await team_of(conn, patient_id)


async def remove_member(
    conn: PgConn, auditor: Auditor, patient_id: str, user_id: str, role: str
) -> list[CareTeamMember]:
    """Take a user off the team in one role; 404 when they were not on it in that role. Call it
    outside a transaction (a denial stays recorded)."""
    patient_id = await canonical_id(conn, auditor, patient_id, "care_team.remove")
    async with conn.transaction():
        return await _remove(conn, auditor, patient_id, user_id, role)


async def _remove(
    conn: PgConn, auditor: Auditor, patient_id: str, user_id: str, role: str
) -> list[CareTeamMember]:
    org: str = (await patient_in_scope(conn, auditor, patient_id, "care_team.remove", lock=True))[
        "org_path"
    ]
    gone = await conn.fetchval(
        "DELETE FROM care_team_members WHERE patient_id = $1::uuid AND user_id = $2::uuid "
        "AND role = $3 RETURNING true",
        patient_id,
        user_id,
        role,
    )
    if not gone:
        raise NotFound(f"user {user_id} is not on this care team as {role}", field="user_id")
    await auditor.record(
        conn,
        "care_team.remove",
        object_type="patient",
        object_id=patient_id,
        org_path=org,
        details={"user_id": user_id, "role": role},
    )
    return await team_of(conn, patient_id)
