"""The rule "a high-risk patient's follow-up is overdue" (随访逾期), run by every node's scheduler.

One pass, in one transaction: raise a warning for each high-risk patient whose follow-up is past
due and has none live; make a live one serious once it is ``serious_after_days`` late; resolve
the live ones whose patient is no longer overdue (a visit was recorded by an import, the grade
went down, the patient left management). A visit recorded through the API resolves its
patient's warning itself, at once (``backend/followups/visits.py``).
"""

from __future__ import annotations

from datetime import datetime

from backend.early_warning.models import FOLLOW_UP_OVERDUE
from backend.early_warning.store import RuleRun, announce_pass
from backend.followups.policy import FollowUpPolicy, due_sql
from backend.storage.postgres.pool import PgConn

# Two nodes running the pass at once would each wait on the other's rows; one runs, one skips.
_LOCK_KEY = 0x7041_6E57  # "pAnW"


_OVERDUE = f"""
    SELECT p.person_id::text AS subject_id, p.org_path, p.risk_grade, p.last_follow_up_at,
           {due_sql(1)} AS due_at
    FROM patients p WHERE p.risk_grade >= $2
"""


async def check_follow_ups(conn: PgConn, policy: FollowUpPolicy, now: datetime) -> RuleRun:
    """One pass of the rule at ``now``; must run inside a transaction."""
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _LOCK_KEY):
        return RuleRun(raised=[], escalated=[], resolved=[], skipped=True)
    days = policy.days_by_grade()
    serious_before = policy.serious_before(now)
    raised = await conn.fetch(
        f"""
        WITH overdue AS ({_OVERDUE})
        INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, raised_at, details)
        SELECT $3, 'patient', subject_id, org_path,
               CASE WHEN due_at < $5 THEN 'serious' ELSE 'warning' END, $4,
               jsonb_build_object('due_at', due_at, 'risk_grade', risk_grade,
                                  'last_follow_up_at', last_follow_up_at)
        FROM overdue WHERE due_at < $4
        ORDER BY due_at
        ON CONFLICT (rule, subject_id) WHERE state <> 'resolved' DO NOTHING
        RETURNING *
        """,
        days,
        policy.warn_min_grade,
        FOLLOW_UP_OVERDUE,
        now,
        serious_before,
    )
    # A live warning keeps the due date it was raised with; it is resolved (below) rather than
    # moved when the date changes, so "how late" is read from the details.
    escalated = await conn.fetch(
        """
        UPDATE early_warnings SET level = 'serious'
        WHERE rule = $1 AND state <> 'resolved' AND level = 'warning'
          AND (details->>'due_at')::timestamptz < $2
        RETURNING *
        """,
        FOLLOW_UP_OVERDUE,
        serious_before,
    )
    resolved = await conn.fetch(
        f"""
        WITH overdue AS ({_OVERDUE})
        UPDATE early_warnings w SET state = 'resolved', resolved_at = $4, resolution = 'no_longer_due'
        WHERE w.rule = $3 AND w.state <> 'resolved'
          AND NOT EXISTS (SELECT 1 FROM overdue o WHERE o.subject_id = w.subject_id AND o.due_at < $4)
        RETURNING w.*
        """,
        days,
        policy.warn_min_grade,
        FOLLOW_UP_OVERDUE,
        now,
    )
    return await announce_pass(conn, raised, escalated, resolved)
