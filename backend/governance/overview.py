"""Each unit's outstanding governance work at a glance, for leaders: live warnings (of the rules
the caller may see), psychological crises, ledger checks overdue and needs open, rental houses
graded red and inspections and rectifications overdue, live disputes (high-risk, overdue).

Each service is counted by one grouped query per org path and summed up the tree; a section is
null when the caller may not read that service. Crisis and ledger figures are about people:
1-4 is published as null, as everywhere else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from backend.api.map.rollup import LIVE_COUNTS
from backend.api.map.suppression import is_small
from backend.early_warning.models import PSYCH_CRISIS
from backend.early_warning.visibility import visible_rules
from backend.security.policy import Permission
from backend.security.principal import Principal, jurisdiction_sql, within
from backend.storage.postgres.pool import PgConn


class WarningFigures(msgspec.Struct, frozen=True, kw_only=True):
    """Live warnings of the rules the caller may see."""

    live: int
    serious: int


class PsychFigures(msgspec.Struct, frozen=True, kw_only=True):
    crises: int | None  # live psychological-crisis warnings; about people: 1-4 as null


class LedgerFigures(msgspec.Struct, frozen=True, kw_only=True):
    overdue: int | None  # 1-4 as null
    needs_help: int | None


class RentalFigures(msgspec.Struct, frozen=True, kw_only=True):
    red: int
    inspections_overdue: int
    rectifications_overdue: int


class DisputeFigures(msgspec.Struct, frozen=True, kw_only=True):
    live: int
    high: int
    overdue: int


class UnitOverview(msgspec.Struct, frozen=True, kw_only=True):
    """One unit; a section is null when the caller may not read that service."""

    org_path: str
    name_zh: str
    name_en: str
    warnings: WarningFigures
    psych: PsychFigures | None
    ledgers: LedgerFigures | None
    rentals: RentalFigures | None
    disputes: DisputeFigures | None


class GovernanceOverview(msgspec.Struct, frozen=True, kw_only=True):
    """Every unit of a level in the caller's jurisdiction, and the jurisdiction itself."""

    level: str
    units: list[UnitOverview]
    total: UnitOverview


Counts = dict[str, list[int]]


def _under(counts: Counts, unit: str, width: int) -> list[int]:
    sums = [0] * width
    for path, values in counts.items():
        if within(path, unit):
            sums = [a + b for a, b in zip(sums, values, strict=True)]
    return sums


async def _grouped(conn: PgConn, sql: str, *args: Any) -> Counts:
    """``sql`` yields an org path and counts; summed per path (several queries may share one)."""
    out: Counts = {}
    for row in await conn.fetch(sql, *args):
        values = [int(v or 0) for v in list(row.values())[1:]]
        prev = out.get(row[0])
        out[row[0]] = values if prev is None else [a + b for a, b in zip(prev, values, strict=True)]
    return out


_WARNINGS = f"""
SELECT org_path, count(*) FILTER (WHERE $3::text[] IS NULL OR rule = ANY($3::text[])),
       count(*) FILTER (WHERE level = 'serious' AND ($3::text[] IS NULL OR rule = ANY($3::text[]))),
       count(*) FILTER (WHERE rule = $2)
FROM early_warnings WHERE state <> 'resolved' AND {jurisdiction_sql("org_path", 1)}
GROUP BY 1
"""
_LEDGERS = f"""
SELECT org_path, count(*) FILTER (WHERE due_at < $2), count(*) FILTER (WHERE needs_help)
FROM ledger_entries WHERE status = 'active' AND {jurisdiction_sql("org_path", 1)}
GROUP BY 1
"""
# red rental houses from the one map's rollup (no scan of the district's houses); inspections
# and rectifications overdue from their own tables
_RENTALS = f"""
SELECT org_path, sum(n)::bigint, 0, 0 FROM ({LIVE_COUNTS.format(layer="'rentals'")}) c
WHERE key = 'red' AND {jurisdiction_sql("org_path", 1)} GROUP BY 1
UNION ALL
SELECT s.org_path, 0, count(*), 0 FROM rental_status s JOIN houses h ON h.id = s.house_id
WHERE h.is_rental AND s.due_at < $2 AND {jurisdiction_sql("s.org_path", 1)} GROUP BY 1
UNION ALL
SELECT org_path, 0, 0, count(*) FROM rental_hazards
WHERE cleared_at IS NULL AND due_at < $2 AND {jurisdiction_sql("org_path", 1)} GROUP BY 1
"""
_DISPUTES = f"""
SELECT org_path, count(*), count(*) FILTER (WHERE risk = 'high'),
       count(*) FILTER (WHERE due_at < $2)
FROM disputes WHERE status IN ('open', 'mediating') AND {jurisdiction_sql("org_path", 1)}
GROUP BY 1
"""


def _published(n: int) -> int | None:
    return None if is_small(n) else n


async def overview(
    conn: PgConn, principal: Principal, level: str, now: datetime
) -> GovernanceOverview:
    """Every unit of ``level`` in the principal's jurisdiction (zero included) and its total."""
    scope = principal.org_path
    rules = visible_rules(principal)
    warnings = await _grouped(
        conn, _WARNINGS, scope, PSYCH_CRISIS, None if rules is None else sorted(rules)
    )
    sees_crises = rules is None or PSYCH_CRISIS in rules
    can = principal.can
    ledgers = await _grouped(conn, _LEDGERS, scope, now) if can(Permission.LEDGER_READ) else None
    rentals = await _grouped(conn, _RENTALS, scope, now) if can(Permission.RENTAL_READ) else None
    disputes = await _grouped(conn, _DISPUTES, scope, now) if can(Permission.DISPUTE_READ) else None

    def one(path: str, name_zh: str, name_en: str) -> UnitOverview:
        live, serious, crises = _under(warnings, path, 3)
        psych = PsychFigures(crises=_published(crises)) if sees_crises else None
        ledger = None
        if ledgers is not None:
            overdue, needs = _under(ledgers, path, 2)
            ledger = LedgerFigures(overdue=_published(overdue), needs_help=_published(needs))
        rental = None
        if rentals is not None:
            red, inspections, rectifications = _under(rentals, path, 3)
            rental = RentalFigures(
                red=red, inspections_overdue=inspections, rectifications_overdue=rectifications
            )
        dispute = None
        if disputes is not None:
            d_live, d_high, d_overdue = _under(disputes, path, 3)
            dispute = DisputeFigures(live=d_live, high=d_high, overdue=d_overdue)
        return UnitOverview(
            org_path=path,
            name_zh=name_zh,
            name_en=name_en,
            warnings=WarningFigures(live=live, serious=serious),
            psych=psych,
            ledgers=ledger,
            rentals=rental,
            disputes=dispute,
        )

    units = await conn.fetch(
        f"SELECT path, name_zh, name_en FROM org_units WHERE level = $2 "
        f"AND {jurisdiction_sql('path', 1)} ORDER BY path",
        scope,
        level,
    )
    own = await conn.fetchrow("SELECT name_zh, name_en FROM org_units WHERE path = $1", scope)
    return GovernanceOverview(
        level=level,
        units=[one(u["path"], u["name_zh"], u["name_en"]) for u in units],
        total=one(scope, own["name_zh"] if own else scope, own["name_en"] if own else scope),
    )
