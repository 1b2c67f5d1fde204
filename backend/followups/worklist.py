"""The follow-up worklist: whose visit is due soonest, or overdue, with the live warning if any."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from backend.early_warning.models import FOLLOW_UP_OVERDUE
from backend.followups.models import DueItem, DuePage, WarningRef
from backend.followups.policy import FollowUpPolicy, due_sql
from backend.security import masking
from backend.security.context import Auditor
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

Scope = Literal["mine", "jurisdiction"]


def days_overdue(due_at: datetime, now: datetime) -> int:
    """Whole days past due; negative: whole days still left; 0: due within a day either side."""
    return int((now - due_at) / timedelta(days=1))


def _text(shown: object) -> str | None:
    return None if shown is None else str(shown)


async def due_list(
    conn: PgConn,
    auditor: Auditor,
    policy: FollowUpPolicy,
    *,
    scope: Scope,
    within_days: int,
    risk_min: int,
    limit: int,
    now: datetime,
) -> DuePage:
    """Patients in the caller's jurisdiction (``mine``: only those whose care team the caller is
    on) due within ``within_days``, overdue first; each listed record's read is audited. Names
    and addresses come with the list in one query (no sealed field is opened for a list)."""
    principal = auditor.caller.principal
    mine = " AND team.patient_id IS NOT NULL" if scope == "mine" else ""
    # $1 intervals, $2 jurisdiction, $3 lowest grade, $4 the caller, $5 due before
    scoped = f"""
        FROM patients p
        LEFT JOIN (SELECT DISTINCT patient_id FROM care_team_members WHERE user_id = $4::uuid) team
               ON team.patient_id = p.person_id
        WHERE {jurisdiction_sql("p.org_path", 2)} AND p.risk_grade >= $3{mine}
          AND {due_sql(1)} < $5
    """
    args: list[Any] = [policy.days_by_grade(), principal.org_path, risk_min, principal.user_id]
    overdue: int = await conn.fetchval(f"SELECT count(*) {scoped}", *args, now)
    rows = await conn.fetch(
        f"""
        SELECT p.person_id::text AS patient_id, p.org_path, p.risk_grade, p.last_follow_up_at,
               {due_sql(1)} AS due_at, team.patient_id IS NOT NULL AS on_my_team,
               (SELECT pe.name FROM persons pe WHERE pe.id = p.person_id) AS name,
               (SELECT a.text FROM persons pe JOIN addresses a ON a.id = pe.address_id
                WHERE pe.id = p.person_id) AS address,
               (SELECT row(w.id, w.level, w.state) FROM early_warnings w
                WHERE w.rule = '{FOLLOW_UP_OVERDUE}' AND w.subject_id = p.person_id::text
                  AND w.state <> 'resolved') AS warning
        {scoped}
        ORDER BY due_at, p.person_id LIMIT $6
        """,
        *args,
        now + timedelta(days=within_days),
        limit,
    )
    roles = frozenset(str(r) for r in principal.roles)
    items: list[DueItem] = []
    for row in rows:
        await auditor.record(
            conn,
            "patient.read",
            object_type="patient",
            object_id=row["patient_id"],
            org_path=row["org_path"],
            details={"access": "jurisdiction", "list": "follow_ups_due"},
        )
        live = row["warning"]
        warning = None if live is None else WarningRef(id=live[0], level=live[1], state=live[2])
        items.append(
            DueItem(
                patient_id=row["patient_id"],
                name=_text(masking.apply("person", "name", row["name"], roles)),
                address=_text(masking.apply("person", "address", row["address"], roles)),
                org_path=row["org_path"],
                risk_grade=row["risk_grade"],
                last_follow_up_at=row["last_follow_up_at"],
                due_at=row["due_at"],
                days_overdue=days_overdue(row["due_at"], now),
                overdue=row["due_at"] < now,
                on_my_team=row["on_my_team"],
                warning=warning,
            )
        )
    return DuePage(items=items, overdue=overdue)
