"""Registering people in a group's ledger, checking on them, and taking them off it.

The person's jurisdiction decides who may see and write an entry; the person's name and address
are masked by role like any person read; notes are sealed; every read and write is audited under
the person. A check moves the entry's due date on and resolves its overdue warning.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from backend.early_warning.models import LEDGER_CHECK_OVERDUE, WarningNote
from backend.early_warning.store import resolve_for_subject
from backend.errors import Conflict, NotFound, Unprocessable
from backend.ledgers.groups import POLICIES
from backend.ledgers.models import (
    CheckCreate,
    CheckRecorded,
    CheckView,
    EntryClose,
    EntryCreate,
    EntryDetail,
    EntryRecorded,
    EntryView,
    Officer,
    OfficerPage,
)
from backend.ledgers.scope import check_group, groups_kept
from backend.realtime.outbox import emit
from backend.record_time import check_record_time
from backend.security import masking
from backend.security.context import Auditor
from backend.security.crypto import FieldCipher
from backend.security.person_scope import person_in_scope
from backend.security.policy import ROLE_PERMISSIONS, Permission
from backend.storage.postgres.pool import PgConn

NOTES_CONTEXT = b"ledger_notes"
CHECK_NOTES_CONTEXT = b"ledger_check_notes"

ENTRY_SQL = """
SELECT e.*, p.name, a.text AS address, u.display_name AS officer_name,
       e.grp = ANY(p.tags) AS tagged,
       w.id AS warning_id, w.rule AS warning_rule, w.level AS warning_level,
       w.state AS warning_state, w.raised_at AS warning_raised_at
FROM ledger_entries e
JOIN persons p ON p.id = e.person_id
LEFT JOIN addresses a ON a.id = p.address_id
LEFT JOIN users u ON u.id = e.officer_id
LEFT JOIN early_warnings w
       ON w.rule = 'ledger_check_overdue' AND w.subject_id = e.id::text AND w.state <> 'resolved'
"""


def entry_view(
    cipher: FieldCipher, row: Any, roles: frozenset[str], now: datetime, *, notes: bool
) -> EntryView:
    """An ``ENTRY_SQL`` row as the caller may see it."""
    warning = None
    if row["warning_id"] is not None:
        warning = WarningNote(
            id=row["warning_id"],
            rule=row["warning_rule"],
            level=row["warning_level"],
            state=row["warning_state"],
            raised_at=row["warning_raised_at"],
        )
    return EntryView(
        id=str(row["id"]),
        person_id=str(row["person_id"]),
        name=masking.apply_text("person", "name", row["name"], roles),
        address=masking.apply_text("person", "address", row["address"], roles),
        group=row["grp"],
        department=POLICIES[row["grp"]].department,
        status=row["status"],
        since=row["since"],
        officer_id=None if row["officer_id"] is None else str(row["officer_id"]),
        officer_name=row["officer_name"],
        check_days=row["check_days"],
        last_check_at=row["last_check_at"],
        due_at=row["due_at"],
        overdue=row["status"] == "active" and row["due_at"] < now,
        needs_help=row["needs_help"],
        tagged=row["tagged"],
        org_path=row["org_path"],
        notes=cipher.unseal(row["notes_enc"], context=NOTES_CONTEXT, show=notes),
        created_by_name=row["created_by_name"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        close_reason=row["close_reason"],
        warning=warning,
    )


def _check_view(cipher: FieldCipher, row: Any, *, notes: bool) -> CheckView:
    return CheckView(
        id=str(row["id"]),
        entry_id=str(row["entry_id"]),
        at=row["at"],
        kind=row["kind"],
        finding=row["finding"],
        notes=cipher.unseal(row["notes_enc"], context=CHECK_NOTES_CONTEXT, show=notes),
        by_name=row["by_name"],
        recorded_at=row["recorded_at"],
    )


async def _entry_in_scope(conn: PgConn, auditor: Auditor, entry_id: str, action: str) -> Any:
    row = await conn.fetchrow(ENTRY_SQL + " WHERE e.id = $1::uuid", entry_id)
    if row is None:
        raise NotFound(f"no ledger entry {entry_id}", field="entry_id")
    principal = auditor.caller.principal
    # another jurisdiction, or another department's group: the same 404, and a recorded denial
    covered = principal.covers(row["org_path"])
    if not covered or row["grp"] not in groups_kept(principal):
        # the denial names the person (it is their record that was reached for)
        await auditor.outside(
            conn,
            action,
            object_type="person",
            object_id=str(row["person_id"]),
            org_path=row["org_path"],
            field="entry_id",
            reason="outside jurisdiction" if not covered else "another department's group",
        )
        raise NotFound(f"no ledger entry {entry_id}", field="entry_id")
    return row


async def _view_of(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, entry_id: str, now: datetime
) -> EntryView:
    row = await conn.fetchrow(ENTRY_SQL + " WHERE e.id = $1::uuid", entry_id)
    principal = auditor.caller.principal
    return entry_view(
        cipher, row, frozenset(principal.roles), now, notes=principal.can(Permission.LEDGER_WRITE)
    )


# Who may answer for a person: an active user who keeps ledgers (a role that does, $2, or an
# officer of a department that does, $4), whose jurisdiction covers them ($1), and who keeps the
# group ($3; null: any group): a department officer only their department's.
_OFFICERS = """
SELECT id::text AS user_id, display_name, org_path FROM users
WHERE NOT disabled AND ($1 = org_path OR $1 LIKE org_path || '.%')
  AND (roles && $2::text[] OR department = ANY($4::text[]))
  AND (department IS NULL OR $3::text IS NULL OR department = $3)
"""
_KEEPERS = sorted(r.value for r, p in ROLE_PERMISSIONS.items() if Permission.LEDGER_WRITE in p)
# the departments whose officers keep ledgers (those of some group)
_KEEPING = sorted({p.department for p in POLICIES.values()})


async def _announce(conn: PgConn, entry_id: str, org_path: str, action: str) -> None:
    # to the ledgers topic (and the leaders'): the entry and what happened, never who or which
    # group, as the wall and leader topics carry it too
    await emit(
        conn,
        stream="incidents",
        kind="ledger.updated",
        org_path=org_path,
        payload={"entry_id": entry_id, "action": action},
    )


async def _officer(
    conn: PgConn, auditor: Auditor, officer_id: str | None, person_path: str, group: str
) -> str:
    principal = auditor.caller.principal
    if officer_id is None:
        return principal.user_id
    found = await conn.fetchval(
        f"SELECT count(*) FROM ({_OFFICERS} AND id = $5::uuid) o",
        person_path,
        _KEEPERS,
        POLICIES[group].department,
        _KEEPING,
        officer_id,
    )
    if not found:
        raise Unprocessable(
            "the officer must be an active user who keeps this group's ledgers and whose "
            "jurisdiction covers the person",
            field="officer_id",
            code="officer_outside",
        )
    return officer_id


async def officers_for(
    conn: PgConn, auditor: Auditor, person_id: str, group: str | None = None
) -> OfficerPage:
    """Who may answer for the person (in ``group``), the nearest first; 404 outside the
    jurisdiction."""
    person = await person_in_scope(conn, auditor, person_id, "ledger.officers")
    rows = await conn.fetch(
        _OFFICERS + " ORDER BY length(org_path) DESC, display_name, id LIMIT 100",
        person["org_path"],
        _KEEPERS,
        None if group is None else POLICIES[group].department,
        _KEEPING,
    )
    return OfficerPage(items=[Officer(**dict(r)) for r in rows])


async def register(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, data: EntryCreate, now: datetime
) -> EntryRecorded:
    """Register (once, whatever the retries). 404 for a person outside the jurisdiction; 409
    when the person is on this group's ledger already, or the id names another entry."""
    principal = auditor.caller.principal
    check_group(principal, data.group)
    person = await person_in_scope(conn, auditor, data.person_id, "ledger.register")
    if data.since > now.date() + timedelta(days=1):
        raise Unprocessable("cannot be in the future", field="since", code="in_future")
    officer = await _officer(conn, auditor, data.officer_id, person["org_path"], data.group)
    check_days = POLICIES[data.group].check_days
    notes = None if data.notes is None else cipher.encrypt(data.notes, context=NOTES_CONTEXT)
    async with conn.transaction():
        # any conflict (this id, or the person's live entry in the group) inserts nothing; which
        # one it was is read afterwards, so two submissions racing never end in a 500
        inserted = await conn.fetchval(
            """
            INSERT INTO ledger_entries (id, person_id, grp, since, officer_id, check_days, due_at,
                                        org_path, notes_enc, created_by, created_by_name)
            VALUES ($1::uuid, $2::uuid, $3, $4, $5::uuid, $6, $7, $8, $9, $10::uuid, $11)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            data.id,
            person["id"],
            data.group,
            data.since,
            officer,
            check_days,
            now + timedelta(days=check_days),
            person["org_path"],
            notes,
            principal.user_id,
            principal.display_name,
        )
        if inserted is None:
            existing = await conn.fetchrow(
                "SELECT person_id, grp, since FROM ledger_entries WHERE id = $1::uuid", data.id
            )
            if existing is None:
                raise Conflict(
                    "the person is on this group's ledger already",
                    field="group",
                    code="already_registered",
                )
            if (str(existing["person_id"]), existing["grp"], existing["since"]) != (
                person["id"],
                data.group,
                data.since,
            ):
                raise Conflict(
                    f"ledger entry {data.id} was registered with other content",
                    field="id",
                    code="entry_id_taken",
                )
            return EntryRecorded(
                entry=await _view_of(conn, cipher, auditor, data.id, now), duplicate=True
            )
        await auditor.record(
            conn,
            "ledger.register",
            object_type="person",
            object_id=person["id"],
            org_path=person["org_path"],
            details={"entry": data.id, "group": data.group},
        )
        await _announce(conn, data.id, person["org_path"], "registered")
        return EntryRecorded(
            entry=await _view_of(conn, cipher, auditor, data.id, now), duplicate=False
        )


async def record_check(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    entry_id: str,
    data: CheckCreate,
    now: datetime,
) -> CheckRecorded:
    """Store one check (once). The latest check sets the entry's last check, next due date and
    whether a need is open, and resolves its overdue warning. 409 on a closed entry."""
    check_record_time(data.at, now)
    principal = auditor.caller.principal
    # the scope check outside the transaction, so a denial stays recorded
    entry = await _entry_in_scope(conn, auditor, entry_id, "ledger.check")
    async with conn.transaction():
        status = await conn.fetchval(
            "SELECT status FROM ledger_entries WHERE id = $1 FOR UPDATE", entry["id"]
        )
        stored = await conn.fetchrow("SELECT * FROM ledger_checks WHERE id = $1::uuid", data.id)
        if stored is not None:
            if (str(stored["entry_id"]), stored["at"], stored["kind"], stored["finding"]) != (
                str(entry["id"]),
                data.at,
                data.kind,
                data.finding,
            ):
                raise Conflict(
                    f"check {data.id} was recorded with other content",
                    field="id",
                    code="check_id_taken",
                )
            return CheckRecorded(
                check=_check_view(cipher, stored, notes=True),
                entry=await _view_of(conn, cipher, auditor, str(entry["id"]), now),
                duplicate=True,
                resolved_warnings=[],
            )
        if status != "active":
            raise Conflict("the entry is closed", field="entry_id", code="entry_closed")
        notes = (
            None if data.notes is None else cipher.encrypt(data.notes, context=CHECK_NOTES_CONTEXT)
        )
        row = await conn.fetchrow(
            """
            INSERT INTO ledger_checks (id, entry_id, at, kind, finding, notes_enc, by_user, by_name)
            VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::uuid, $8)
            ON CONFLICT (id) DO NOTHING RETURNING *
            """,
            data.id,
            entry["id"],
            data.at,
            data.kind,
            data.finding,
            notes,
            principal.user_id,
            principal.display_name,
        )
        if row is None:  # the id was taken meanwhile, by a check of another entry
            raise Conflict(
                f"check {data.id} was recorded with other content",
                field="id",
                code="check_id_taken",
            )
        # only the latest check sets the entry: a paper form typed in late joins the history
        await conn.execute(
            """
            UPDATE ledger_entries
            SET last_check_at = $2, due_at = $2 + make_interval(days => check_days),
                needs_help = $3
            WHERE id = $1 AND (last_check_at IS NULL OR last_check_at <= $2)
            """,
            entry["id"],
            data.at,
            data.finding != "normal",
        )
        resolved = []
        due = await conn.fetchval("SELECT due_at FROM ledger_entries WHERE id = $1", entry["id"])
        if due >= now:
            resolved = await resolve_for_subject(
                conn, LEDGER_CHECK_OVERDUE, str(entry["id"]), "ledger_checked"
            )
        await auditor.record(
            conn,
            "ledger.check",
            object_type="person",
            object_id=str(entry["person_id"]),
            org_path=entry["org_path"],
            details={"entry": str(entry["id"]), "finding": data.finding},
        )
        await _announce(conn, str(entry["id"]), entry["org_path"], "checked")
        return CheckRecorded(
            check=_check_view(cipher, row, notes=True),
            entry=await _view_of(conn, cipher, auditor, str(entry["id"]), now),
            duplicate=False,
            resolved_warnings=resolved,
        )


async def close(
    conn: PgConn,
    cipher: FieldCipher,
    auditor: Auditor,
    entry_id: str,
    data: EntryClose,
    now: datetime,
) -> EntryView:
    """Take the person off the ledger with the reason; its live warning goes with it."""
    entry = await _entry_in_scope(conn, auditor, entry_id, "ledger.close")
    async with conn.transaction():
        closed = await conn.fetchval(
            "UPDATE ledger_entries SET status = 'closed', closed_at = $2, close_reason = $3 "
            "WHERE id = $1 AND status = 'active' RETURNING id",
            entry["id"],
            now,
            data.reason,
        )
        if closed is None:
            raise Conflict("the entry is closed already", field="entry_id", code="entry_closed")
        await resolve_for_subject(conn, LEDGER_CHECK_OVERDUE, str(entry["id"]), "ledger_closed")
        await auditor.record(
            conn,
            "ledger.close",
            object_type="person",
            object_id=str(entry["person_id"]),
            org_path=entry["org_path"],
            details={"entry": str(entry["id"])},
        )
        await _announce(conn, str(entry["id"]), entry["org_path"], "closed")
        return await _view_of(conn, cipher, auditor, str(entry["id"]), now)


async def read(
    conn: PgConn, cipher: FieldCipher, auditor: Auditor, entry_id: str, now: datetime
) -> EntryDetail:
    """An entry with its checks; the read is audited under the person."""
    entry = await _entry_in_scope(conn, auditor, entry_id, "ledger.read")
    async with conn.transaction():
        checks = await conn.fetch(
            "SELECT * FROM ledger_checks WHERE entry_id = $1 ORDER BY at DESC, id LIMIT 200",
            entry["id"],
        )
        await auditor.record(
            conn,
            "ledger.read",
            object_type="person",
            object_id=str(entry["person_id"]),
            org_path=entry["org_path"],
            details={"entry": str(entry["id"])},
        )
    principal = auditor.caller.principal
    notes = principal.can(Permission.LEDGER_WRITE)
    return EntryDetail(
        entry=entry_view(cipher, entry, frozenset(principal.roles), now, notes=notes),
        checks=[_check_view(cipher, c, notes=notes) for c in checks],
    )
