"""The one door to a person for the services that record things about people (psychological
services, ledgers, dispute parties): known, and in the caller's jurisdiction."""

from __future__ import annotations

import uuid
from typing import Any

from backend.errors import NotFound
from backend.security.context import Auditor
from backend.storage.postgres.pool import PgConn


async def person_in_scope(conn: PgConn, auditor: Auditor, person_id: str, action: str) -> Any:
    """The person's id, org path and whether they belong to a key group (a registered patient
    or a special group), or a 404, recorded as a denial when the person lies outside the
    jurisdiction (the answer is the same, so existence is not revealed)."""
    try:
        pid = uuid.UUID(person_id)
    except ValueError:
        raise NotFound(f"no person {person_id}", field="person_id") from None
    row = await conn.fetchrow(
        """
        SELECT p.id::text AS id, p.org_path,
               (cardinality(p.tags) > 0 OR EXISTS (SELECT FROM patients pt WHERE pt.person_id = p.id))
                   AS key_group
        FROM persons p WHERE p.id = $1
        """,
        pid,
    )
    if row is None:
        raise NotFound(f"no person {person_id}", field="person_id")
    if not auditor.caller.principal.covers(row["org_path"]):
        await auditor.outside(
            conn,
            action,
            object_type="person",
            object_id=row["id"],
            org_path=row["org_path"],
            field="person_id",
        )
        raise NotFound(f"no person {person_id}", field="person_id")  # the id as it was asked for
    return row
