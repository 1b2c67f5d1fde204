"""A department's sign-off of a rectification (整改销号): the fire brigade, the police station or
the housing office verifies on site that an item it acts on was put right, and closes it without
waiting for the next inspection. The house's grade stays the last inspection's until the next
one: a sign-off says one item is fixed, not how the house stands."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from backend.early_warning.models import RENTAL_HAZARD_OVERDUE
from backend.early_warning.store import resolve_for_subject
from backend.errors import Conflict, NotFound, Unprocessable
from backend.realtime.outbox import emit
from backend.record_time import check_record_time
from backend.rentals.houses import HAZARD_SQL, hazard_view
from backend.rentals.models import SignOffCreate, SignOffRecorded
from backend.rentals.scope import departments_followed
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.storage.postgres.pool import PgConn

SIGNOFF_NOTES_CONTEXT = b"rental_signoff_notes"
_MINUTE = timedelta(minutes=1)


async def _hazard_in_scope(conn: PgConn, auditor: Auditor, hazard_id: str) -> Any:
    row = await conn.fetchrow(HAZARD_SQL + " WHERE z.id = $1::uuid", hazard_id)
    if row is None:
        raise NotFound(f"no rectification {hazard_id}", field="hazard_id")
    principal = auditor.caller.principal
    covered = principal.covers(row["org_path"])
    if not covered or row["department"] not in departments_followed(principal):
        # outside the jurisdiction or another department's item: the same 404, recorded
        raise await auditor.outside(
            conn,
            "rental.sign_off",
            object_type="house",
            object_id=row["house_id"],
            org_path=row["org_path"],
            field="hazard_id",
            what="rectification",
            reason="outside jurisdiction" if not covered else "another department's item",
        )
    return row


async def sign_off(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    hazard_id: str,
    data: SignOffCreate,
    now: datetime,
) -> SignOffRecorded:
    """Close an open rectification of the caller's department (once, whatever the retries) and
    settle its overdue warning. 404 for another department's or jurisdiction's; 409 when it is
    closed already or the id names another sign-off; 422 for a time before it was found."""
    check_record_time(data.at, now)
    principal = auditor.caller.principal
    await _hazard_in_scope(conn, auditor, hazard_id)  # outside the transaction: a denial stays
    async with conn.transaction():
        row: Any = await conn.fetchrow(
            HAZARD_SQL + " WHERE z.id = $1::uuid FOR UPDATE OF z", hazard_id
        )
        if row["signoff_id"] is not None and str(row["signoff_id"]) == data.id:
            return SignOffRecorded(
                hazard=hazard_view(row, now), duplicate=True, resolved_warnings=[]
            )
        elsewhere = await conn.fetchval(
            "SELECT true FROM rental_hazards WHERE signoff_id = $1::uuid", data.id
        )
        if elsewhere:
            raise Conflict(
                f"sign-off {data.id} closed another rectification",
                field="id",
                code="signoff_id_taken",
            )
        if row["cleared_at"] is not None:
            raise Conflict(
                "the rectification is closed already", field="hazard_id", code="hazard_cleared"
            )
        # a form's time has the minute alone: within the minute it was found counts as after
        if data.at < row["found_at"] - _MINUTE:
            raise Unprocessable(
                "cannot be before the item was found", field="at", code="before_found"
            )
        cleared_at = max(data.at, row["found_at"])
        notes = (
            None
            if data.notes is None
            else cipher.encrypt(data.notes, context=SIGNOFF_NOTES_CONTEXT)
        )
        await conn.execute(
            """
            UPDATE rental_hazards SET cleared_at = $2, signoff_id = $3::uuid,
                signed_off_by = $4::uuid, signed_off_name = $5, signoff_notes_enc = $6
            WHERE id = $1::uuid
            """,
            hazard_id,
            cleared_at,
            data.id,
            principal.user_id,
            principal.display_name,
            notes,
        )
        resolved = await resolve_for_subject(
            conn, RENTAL_HAZARD_OVERDUE, hazard_id, "rental_rectified"
        )
        await auditor.record(
            conn,
            "rental.sign_off",
            object_type="house",
            object_id=row["house_id"],
            org_path=row["org_path"],
            details={"hazard": hazard_id, "item": row["item"]},
        )
        await emit(
            conn,
            stream="incidents",
            kind="rental.updated",
            org_path=row["org_path"],
            payload={"house_id": row["house_id"], "action": "signed_off", "latest": True},
        )
        after = await conn.fetchrow(HAZARD_SQL + " WHERE z.id = $1::uuid", hazard_id)
        return SignOffRecorded(
            hazard=hazard_view(after, now), duplicate=False, resolved_warnings=resolved
        )
