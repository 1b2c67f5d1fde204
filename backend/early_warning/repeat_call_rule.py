"""The rule "calls keep coming from one household" (重复报警): an address with ``min_calls`` or
more incidents in the repeat window raises a warning, so the community looks after the household
between crises, after each incident has closed.

Intake already flags each repeat call for the operator (``backend/incidents/repeats.py``); this
rule is the other half: a finding that outlives the incidents and reaches the care team of every
patient registered at the address. Only incidents with a unified address count here (a bare
point has no household to visit).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from backend.early_warning.models import REPEAT_CALLS
from backend.early_warning.store import RuleRun, announce_pass
from backend.incidents.repeats import REPEAT_WINDOW, SHOWN
from backend.storage.postgres.pool import PgConn

_LOCK_KEY = 0x7041_6E52  # "pAnR"


class RepeatCallPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How many calls from one address within the window make a warning, and a serious one."""

    min_calls: int = 3
    serious_calls: int = 5
    window: timedelta = REPEAT_WINDOW


_CALLS = f"""
    SELECT address_id AS subject_id, min(org_path) AS org_path, count(*) AS calls,
           min(created_at) AS first_at, max(created_at) AS last_at,
           (array_agg(id ORDER BY created_at DESC, id DESC))[1:{SHOWN}] AS latest
    FROM incidents
    WHERE address_id IS NOT NULL AND created_at >= $1 AND created_at <= $2
    GROUP BY address_id
"""


async def check_repeat_calls(conn: PgConn, policy: RepeatCallPolicy, now: datetime) -> RuleRun:
    """One pass of the rule at ``now``; must run inside a transaction. A live warning follows
    the count: it turns serious at ``serious_calls``, and is resolved (``quiet_again``) once
    the window holds fewer than ``min_calls``."""
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", _LOCK_KEY):
        return RuleRun(raised=[], escalated=[], resolved=[], skipped=True)
    since = now - policy.window
    details = (
        "jsonb_build_object('calls', calls, 'first_at', first_at, 'last_at', last_at, "
        "'incident_ids', to_jsonb(latest))"
    )
    raised = await conn.fetch(
        f"""
        WITH calls AS ({_CALLS})
        INSERT INTO early_warnings (rule, subject_type, subject_id, org_path, level, raised_at, details)
        SELECT $3, 'address', subject_id, org_path,
               CASE WHEN calls >= $5 THEN 'serious' ELSE 'warning' END, $2, {details}
        FROM calls WHERE calls >= $4
        ORDER BY last_at
        ON CONFLICT (rule, subject_id) WHERE state <> 'resolved' DO NOTHING
        RETURNING *
        """,
        since,
        now,
        REPEAT_CALLS,
        policy.min_calls,
        policy.serious_calls,
    )
    escalated = await conn.fetch(
        f"""
        WITH calls AS ({_CALLS})
        UPDATE early_warnings w SET level = 'serious', details = {details}
        FROM calls c
        WHERE w.rule = $3 AND w.state <> 'resolved' AND w.level = 'warning'
          AND c.subject_id = w.subject_id AND c.calls >= $4
        RETURNING w.*
        """,
        since,
        now,
        REPEAT_CALLS,
        policy.serious_calls,
    )
    resolved = await conn.fetch(
        f"""
        WITH calls AS ({_CALLS})
        UPDATE early_warnings w SET state = 'resolved', resolved_at = $2, resolution = 'quiet_again'
        WHERE w.rule = $3 AND w.state <> 'resolved'
          AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.subject_id = w.subject_id AND c.calls >= $4)
        RETURNING w.*
        """,
        since,
        now,
        REPEAT_CALLS,
        policy.min_calls,
    )
    return await announce_pass(conn, raised, escalated, resolved)
