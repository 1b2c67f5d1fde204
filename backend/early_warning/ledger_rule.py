"""The rule "a registered person's check is overdue" (台账核查逾期), run by every node's scheduler.

One pass, in one transaction: raise a warning for each active ledger entry past its due date
that has none live (serious at once for the groups under legal supervision: community
correction and drug rehabilitation); make a live one serious once the check is
``SERIOUS_AFTER_DAYS`` late; resolve those whose entry is checked or closed. A check recorded
through the API resolves its entry's warning itself (``backend/ledgers/entries.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.early_warning.models import LEDGER_CHECK_OVERDUE
from backend.early_warning.store import RuleRun, announce_pass
from backend.ledgers.groups import POLICIES, SERIOUS_AFTER_DAYS
from backend.storage.postgres.pool import PgConn

_LOCK_KEY = 0x7041_4C65  # "pALe"
_STRICT = sorted(g for g, p in POLICIES.items() if p.strict)


async def check_ledgers(conn: PgConn, now: datetime) -> RuleRun:
    """One pass of the rule at ``now``; must run inside a transaction."""
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _LOCK_KEY):
        return RuleRun(raised=[], escalated=[], resolved=[], skipped=True)
    serious_before = now - timedelta(days=SERIOUS_AFTER_DAYS)
    raised = await conn.fetch(
        """
        INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, raised_at, details)
        SELECT $1, 'ledger_entry', e.id::text, e.org_path,
               CASE WHEN e.grp = ANY($4::text[]) OR e.due_at < $3 THEN 'serious' ELSE 'warning' END,
               $2,
               jsonb_build_object('group', e.grp, 'due_at', e.due_at,
                                  'person_id', e.person_id::text,
                                  'last_check_at', e.last_check_at)
        FROM ledger_entries e
        WHERE e.status = 'active' AND e.due_at < $2
        ORDER BY e.due_at
        ON CONFLICT (rule, subject_id) WHERE state <> 'resolved' DO NOTHING
        RETURNING *
        """,
        LEDGER_CHECK_OVERDUE,
        now,
        serious_before,
        _STRICT,
    )
    escalated = await conn.fetch(
        """
        UPDATE early_warnings SET level = 'serious'
        WHERE rule = $1 AND state <> 'resolved' AND level = 'warning'
          AND (details->>'due_at')::timestamptz < $2
        RETURNING *
        """,
        LEDGER_CHECK_OVERDUE,
        serious_before,
    )
    resolved = await conn.fetch(
        """
        UPDATE early_warnings w SET state = 'resolved', resolved_at = $2, resolution = 'no_longer_due'
        WHERE w.rule = $1 AND w.state <> 'resolved'
          AND NOT EXISTS (SELECT 1 FROM ledger_entries e
                          WHERE e.id::text = w.subject_id AND e.status = 'active' AND e.due_at < $2)
        RETURNING w.*
        """,
        LEDGER_CHECK_OVERDUE,
        now,
    )
    return await announce_pass(conn, raised, escalated, resolved)
