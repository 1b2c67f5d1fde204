"""The one door to a patient for the follow-up routes: known, and in the caller's jurisdiction."""

from __future__ import annotations

from typing import Any

from backend.api.people.services import load_patient_org
from backend.errors import NotFound
from backend.security.context import Auditor
from backend.storage.postgres.pool import PgConn


async def patient_in_scope(
    conn: PgConn, auditor: Auditor, patient_id: str, action: str, *, lock: bool = False
) -> Any:
    """The patient's row, or a 404 (recorded as a denial when it lies outside the jurisdiction)."""
    row = await load_patient_org(conn, patient_id, lock=lock)
    if row is None:
        raise NotFound(f"no patient {patient_id}", field="patient_id")
    if not auditor.caller.principal.covers(row["org_path"]):
        raise await auditor.outside(
            conn,
            action,
            object_type="patient",
            object_id=patient_id,
            org_path=row["org_path"],
            field="patient_id",
        )
    return row


async def canonical_id(conn: PgConn, auditor: Auditor, patient_id: str, action: str) -> str:
    """The patient's id as stored (a UUID in upper case, or in braces, names the same patient,
    and warnings and audit rows must name it one way), after the scope check."""
    row = await patient_in_scope(conn, auditor, patient_id, action)
    return str(row["person_id"])
