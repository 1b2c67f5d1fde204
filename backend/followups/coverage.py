"""How well a jurisdiction keeps up with its high-risk patients: per org unit, how many the
overdue rule watches and how many are past due now (a leader's "随访及时率")."""

from __future__ import annotations

from datetime import datetime

from backend.followups.policy import FollowUpPolicy, due_sql
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn


async def high_risk_per_unit(
    conn: PgConn, policy: FollowUpPolicy, scope: str, level: str, now: datetime
) -> dict[str, tuple[int, int]]:
    """Per unit path of ``level`` inside ``scope``: (high-risk patients, of them overdue)."""
    rows = await conn.fetch(
        f"""
        SELECT u.path, count(p.person_id) AS high_risk,
               count(p.person_id) FILTER (WHERE {due_sql(1)} < $5) AS overdue
        FROM org_units u
        JOIN patients p ON p.risk_grade >= $4
             AND (p.org_path = u.path OR p.org_path LIKE u.path || '.%')
        WHERE u.level = $3 AND {jurisdiction_sql("u.path", 2)}
        GROUP BY u.path
        """,
        policy.days_by_grade(),
        scope,
        level,
        policy.warn_min_grade,
        now,
    )
    return {r["path"]: (r["high_risk"], r["overdue"]) for r in rows}
