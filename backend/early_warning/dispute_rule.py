"""The rule "a dispute is past its deadline" (矛盾纠纷处置逾期), run by every node's scheduler.

One pass, in one transaction: raise a warning for each live dispute past its deadline (serious at
once for a high-risk one), make a live one serious once it is ``SERIOUS_AFTER_DAYS`` late, and
resolve those closed or given a new deadline ahead. Escalating, handing down or judging the risk
again through the API resolves the warning itself when the new deadline is ahead
(``backend/disputes/records.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.disputes.policy import SERIOUS_AFTER_DAYS
from backend.early_warning.models import DISPUTE_OVERDUE
from backend.early_warning.store import RuleRun, announce_pass
from backend.storage.postgres.pool import PgConn

_LOCK_KEY = 0x7044_6973  # "pDis"


async def check_disputes(conn: PgConn, now: datetime) -> RuleRun:
    """One pass of the rule at ``now``; must run inside a transaction."""
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _LOCK_KEY):
        return RuleRun(raised=[], escalated=[], resolved=[], skipped=True)
    serious_before = now - timedelta(days=SERIOUS_AFTER_DAYS)
    raised = await conn.fetch(
        """
        INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, raised_at,
                                    details)
        SELECT $1, 'dispute', d.id::text, d.org_path,
               CASE WHEN d.risk = 'high' OR d.due_at < $3 THEN 'serious' ELSE 'warning' END,
               $2,
               jsonb_build_object('kind', d.kind, 'title', d.title, 'risk', d.risk,
                                  'due_at', d.due_at, 'holder_path', d.holder_path)
        FROM disputes d
        WHERE d.status IN ('open', 'mediating') AND d.due_at < $2
        ORDER BY d.due_at
        ON CONFLICT (rule, subject_id) WHERE state <> 'resolved' DO NOTHING
        RETURNING *
        """,
        DISPUTE_OVERDUE,
        now,
        serious_before,
    )
    escalated = await conn.fetch(
        """
        UPDATE early_warnings w SET level = 'serious'
        FROM disputes d
        WHERE w.rule = $1 AND w.state <> 'resolved' AND w.level = 'warning'
          AND d.id::text = w.subject_id AND d.due_at < $2
        RETURNING w.*
        """,
        DISPUTE_OVERDUE,
        serious_before,
    )
    resolved = await conn.fetch(
        """
        UPDATE early_warnings w SET state = 'resolved', resolved_at = $2, resolution = 'no_longer_due'
        WHERE w.rule = $1 AND w.state <> 'resolved'
          AND NOT EXISTS (SELECT 1 FROM disputes d
                          WHERE d.id::text = w.subject_id AND d.status IN ('open', 'mediating')
                            AND d.due_at < $2)
        RETURNING w.*
        """,
        DISPUTE_OVERDUE,
        now,
    )
    return await announce_pass(conn, raised, escalated, resolved)
