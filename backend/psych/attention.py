"""Who is waiting for a session (待跟进): people whose latest assessment found a moderate or
worse result, or thoughts of self-harm, and who have had no session since."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.early_warning.models import PSYCH_CRISIS, WarningNote
from backend.psych.models import AttentionItem, AttentionPage
from backend.psych.scales import FOLLOW_UP_FROM
from backend.security import masking
from backend.security.context import Auditor
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

_SQL = f"""
WITH latest AS (
    SELECT DISTINCT ON (person_id) person_id, scale, score, band, self_harm, at, org_path
    FROM psych_assessments WHERE {jurisdiction_sql("org_path", 1)}
    ORDER BY person_id, at DESC, id
), waiting AS (
    SELECT l.*, s.last_service_at
    FROM latest l
    LEFT JOIN LATERAL (
        SELECT max(at) AS last_service_at FROM psych_services WHERE person_id = l.person_id
    ) s ON true
    WHERE (l.score >= $2 OR l.self_harm)
      AND (s.last_service_at IS NULL OR s.last_service_at < l.at)
)
SELECT w.person_id::text AS person_id, p.name, w.org_path, w.scale, w.score, w.band, w.self_harm,
       w.at AS assessed_at, w.last_service_at,
       e.id AS warning_id, e.rule, e.level, e.state, e.raised_at,
       count(*) OVER () AS total
FROM waiting w
JOIN persons p ON p.id = w.person_id
LEFT JOIN early_warnings e
       ON e.rule = $4 AND e.subject_id = w.person_id::text AND e.state <> 'resolved'
ORDER BY w.self_harm DESC, w.score DESC, w.at, w.person_id
LIMIT $3
"""


def _warning(row: Any) -> WarningNote | None:
    if row["warning_id"] is None:
        return None
    return msgspec.convert(
        {
            "id": row["warning_id"],
            "rule": row["rule"],
            "level": row["level"],
            "state": row["state"],
            "raised_at": row["raised_at"],
        },
        WarningNote,
    )


async def attention_list(conn: PgConn, auditor: Auditor, *, limit: int) -> AttentionPage:
    """Self-harm first, then the highest totals, then the longest waiting; names masked by role,
    every listed person's read audited. Must run inside a transaction."""
    principal = auditor.caller.principal
    rows = await conn.fetch(_SQL, principal.org_path, FOLLOW_UP_FROM, limit, PSYCH_CRISIS)
    roles = frozenset(principal.roles)
    items = []
    for row in rows:
        await auditor.record(
            conn,
            "psych.read",
            object_type="person",
            object_id=row["person_id"],
            org_path=row["org_path"],
            details={"list": "attention"},
        )
        items.append(
            AttentionItem(
                person_id=row["person_id"],
                name=masking.apply_text("person", "name", row["name"], roles),
                org_path=row["org_path"],
                scale=row["scale"],
                score=row["score"],
                band=row["band"],
                self_harm=row["self_harm"],
                assessed_at=row["assessed_at"],
                last_service_at=row["last_service_at"],
                warning=_warning(row),
            )
        )
    return AttentionPage(items=items, total=rows[0]["total"] if rows else 0)
