"""The rules "a rental house's inspection is overdue" (出租屋检查逾期) and "a rectification is past
its deadline" (整改逾期), run by every node's scheduler.

One pass, in one transaction: raise a warning for each inspected rental house past its next
inspection (serious at once for a red house) and for each open rectification past its deadline
(serious at once for an item that makes a house red on its own); make a live one serious once it
is ``SERIOUS_AFTER_DAYS`` late; resolve those no longer due. An inspection recorded through the
API resolves what it settles itself (``backend/rentals/houses.py``). A house never inspected has
no due date: it is listed to inspect, not warned about.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.early_warning.models import RENTAL_HAZARD_OVERDUE, RENTAL_INSPECTION_OVERDUE
from backend.early_warning.store import RuleRun, announce_pass
from backend.rentals.checklist import ITEMS, SERIOUS_AFTER_DAYS
from backend.storage.postgres.pool import PgConn

_LOCK_KEY = 0x7052_6E74  # "pRnt"
_DECISIVE = sorted(code for code, item in ITEMS.items() if item.decisive)


async def check_rentals(conn: PgConn, now: datetime) -> RuleRun:
    """One pass of both rules at ``now``; must run inside a transaction."""
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _LOCK_KEY):
        return RuleRun(raised=[], escalated=[], resolved=[], skipped=True)
    serious_before = now - timedelta(days=SERIOUS_AFTER_DAYS)
    raised = list(
        await conn.fetch(
            """
            INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, raised_at,
                                        details)
            SELECT $1, 'rental_house', s.house_id, s.org_path,
                   CASE WHEN s.grade = 'red' OR s.due_at < $3 THEN 'serious' ELSE 'warning' END,
                   $2,
                   jsonb_build_object('house_id', s.house_id, 'grade', s.grade,
                                      'due_at', s.due_at, 'last_assessed_at', s.last_assessed_at)
            FROM rental_status s JOIN houses h ON h.id = s.house_id
            WHERE s.due_at < $2 AND h.is_rental
            ORDER BY s.due_at
            ON CONFLICT (rule, subject_id) WHERE state <> 'resolved' DO NOTHING
            RETURNING *
            """,
            RENTAL_INSPECTION_OVERDUE,
            now,
            serious_before,
        )
    )
    raised += await conn.fetch(
        """
        INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, raised_at,
                                    details)
        SELECT $1, 'rental_hazard', z.id::text, z.org_path,
               CASE WHEN z.item = ANY($4::text[]) OR z.due_at < $3 THEN 'serious' ELSE 'warning' END,
               $2,
               jsonb_build_object('house_id', z.house_id, 'item', z.item,
                                  'department', z.department, 'due_at', z.due_at,
                                  'found_at', z.found_at)
        FROM rental_hazards z JOIN houses h ON h.id = z.house_id
        WHERE z.cleared_at IS NULL AND z.due_at < $2 AND h.is_rental
        ORDER BY z.due_at
        ON CONFLICT (rule, subject_id) WHERE state <> 'resolved' DO NOTHING
        RETURNING *
        """,
        RENTAL_HAZARD_OVERDUE,
        now,
        serious_before,
        _DECISIVE,
    )
    escalated = await conn.fetch(
        """
        UPDATE early_warnings SET level = 'serious'
        WHERE rule = ANY($1::text[]) AND state <> 'resolved' AND level = 'warning'
          AND (details->>'due_at')::timestamptz < $2
        RETURNING *
        """,
        [RENTAL_INSPECTION_OVERDUE, RENTAL_HAZARD_OVERDUE],
        serious_before,
    )
    resolved = list(
        await conn.fetch(
            """
            UPDATE early_warnings w SET state = 'resolved', resolved_at = $2,
                                        resolution = 'no_longer_due'
            WHERE w.rule = $1 AND w.state <> 'resolved'
              AND NOT EXISTS (SELECT 1 FROM rental_status s JOIN houses h ON h.id = s.house_id
                              WHERE s.house_id = w.subject_id AND s.due_at < $2 AND h.is_rental)
            RETURNING w.*
            """,
            RENTAL_INSPECTION_OVERDUE,
            now,
        )
    )
    resolved += await conn.fetch(
        """
        UPDATE early_warnings w SET state = 'resolved', resolved_at = $2,
                                    resolution = 'no_longer_due'
        WHERE w.rule = $1 AND w.state <> 'resolved'
          AND NOT EXISTS (SELECT 1 FROM rental_hazards z JOIN houses h ON h.id = z.house_id
                          WHERE z.id::text = w.subject_id AND z.cleared_at IS NULL
                            AND z.due_at < $2 AND h.is_rental)
        RETURNING w.*
        """,
        RENTAL_HAZARD_OVERDUE,
        now,
    )
    return await announce_pass(conn, raised, escalated, resolved)
