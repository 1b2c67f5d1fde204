"""A dispute's linked parties as the API shows them: names masked by role, each read audited."""

from __future__ import annotations

from typing import Any

from backend.disputes.models import PartyView
from backend.security import masking
from backend.security.context import Auditor
from backend.storage.postgres.pool import PgConn

PARTIES_SQL = """
SELECT dp.*, p.name, p.org_path AS person_org_path FROM dispute_parties dp
JOIN persons p ON p.id = dp.person_id
"""


def party_view(row: Any, roles: frozenset[str]) -> PartyView:
    """A ``PARTIES_SQL`` row, the name masked for ``roles``."""
    return PartyView(
        person_id=str(row["person_id"]),
        name=masking.apply_text("person", "name", row["name"], roles),
        key_reasons=list(row["key_reasons"]),
        by_name=row["by_name"],
        at=row["at"],
    )


async def parties_of(conn: PgConn, auditor: Auditor, dispute_id: str) -> list[PartyView]:
    """The linked parties, each read audited under the person. Inside a transaction."""
    rows = await conn.fetch(
        PARTIES_SQL + " WHERE dp.dispute_id = $1::uuid ORDER BY dp.at, dp.person_id", dispute_id
    )
    for row in rows:
        await auditor.record(
            conn,
            "person.read",
            object_type="person",
            object_id=str(row["person_id"]),
            org_path=row["person_org_path"],
            details={"dispute": dispute_id},
        )
    return [party_view(r, frozenset(auditor.caller.principal.roles)) for r in rows]
