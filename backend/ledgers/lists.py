"""The ledger's lists: the active entries of a jurisdiction and the people still to register.
Names and addresses are masked by role; every listed person's read is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from backend.ledgers.entries import ENTRY_SQL, entry_view
from backend.ledgers.models import EntryPage, PendingPage, PendingPerson
from backend.ledgers.scope import check_group, groups_kept
from backend.security import masking
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

Which = Literal["all", "overdue", "needs_help", "mine"]


async def _audit_each(conn: PgConn, auditor: Auditor, rows: list[Any], key: str, what: str) -> None:
    for row in rows:
        await auditor.record(
            conn,
            "person.read",
            object_type="person",
            object_id=str(row[key]),
            org_path=row["org_path"],
            details={"list": what},
        )


async def list_entries(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    *,
    group: str | None,
    which: Which,
    limit: int,
    now: datetime,
    offset: int = 0,
) -> EntryPage:
    """Active entries of the jurisdiction: overdue first, then soonest due. Must run inside a
    transaction."""
    principal = auditor.caller.principal
    if group is not None:
        check_group(principal, group)
    args: list[Any] = [principal.org_path, group, now, list(groups_kept(principal))]
    where = (
        f"e.status = 'active' AND {jurisdiction_sql('e.org_path', 1)} "
        "AND ($2::text IS NULL OR e.grp = $2) AND e.grp = ANY($4::text[])"
    )
    counts: Any = await conn.fetchrow(
        f"SELECT count(*) AS total, count(*) FILTER (WHERE e.due_at < $3) AS overdue "
        f"FROM ledger_entries e WHERE {where}",
        *args,
    )
    if which == "overdue":
        where += " AND e.due_at < $3"
    elif which == "needs_help":
        where += " AND e.needs_help"
    elif which == "mine":
        args.append(principal.user_id)
        where += f" AND e.officer_id = ${len(args)}::uuid"
    args += [limit, offset]
    rows = await conn.fetch(
        ENTRY_SQL + f" WHERE {where} AND $3::timestamptz IS NOT NULL "
        f"ORDER BY e.due_at < $3 DESC, e.due_at, e.id LIMIT ${len(args) - 1} OFFSET ${len(args)}",
        *args,
    )
    await _audit_each(conn, auditor, list(rows), "person_id", "ledger")
    roles = frozenset(principal.roles)
    return EntryPage(
        items=[entry_view(cipher, r, roles, now, notes=False) for r in rows],
        total=counts["total"],
        overdue=counts["overdue"],
    )


_UNREGISTERED = f"""
FROM persons p LEFT JOIN addresses a ON a.id = p.address_id
WHERE $2 = ANY(p.tags) AND {jurisdiction_sql("p.org_path", 1)}
  AND NOT EXISTS (SELECT FROM ledger_entries e
                  WHERE e.person_id = p.id AND e.grp = $2 AND e.status = 'active')
"""
_PENDING = f"""
SELECT p.id AS person_id, p.name, a.text AS address, p.org_path, p.birth_year,
       count(*) OVER () AS total
{_UNREGISTERED}
ORDER BY p.birth_year NULLS LAST, p.id
LIMIT $3 OFFSET $4
"""


async def list_pending(
    conn: PgConn, auditor: Auditor, *, group: str, limit: int, offset: int = 0
) -> PendingPage:
    """People the block data lists in ``group`` with no active entry for it. Must run inside a
    transaction."""
    principal = auditor.caller.principal
    check_group(principal, group)
    rows = list(await conn.fetch(_PENDING, principal.org_path, group, limit, offset))
    total = rows[0]["total"] if rows else 0
    if not rows and offset > 0:  # past the end: the total is not on any row
        total = await conn.fetchval(f"SELECT count(*) {_UNREGISTERED}", principal.org_path, group)
    await _audit_each(conn, auditor, rows, "person_id", "ledger_pending")
    roles = frozenset(principal.roles)
    return PendingPage(
        items=[
            PendingPerson(
                person_id=str(r["person_id"]),
                name=masking.apply_text("person", "name", r["name"], roles),
                address=masking.apply_text("person", "address", r["address"], roles),
                org_path=r["org_path"],
                birth_year=r["birth_year"],
            )
            for r in rows
        ],
        total=total,
    )
