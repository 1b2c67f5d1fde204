"""What the psychological-service centres did and found, per org unit: the figures a street
sums from its communities and the district from its streets (汇总统计).

Counted in SQL per org path (a grid's or a unit's own path), summed up the tree in Python, so one
set of queries serves every level. People are counted once, at the path of their latest
assessment in the period, under the worst band of their latest result on each scale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from backend.api.map.suppression import is_small
from backend.early_warning.models import PSYCH_CRISIS
from backend.psych.models import Figures, UnitFigures, UnitFiguresPage
from backend.security.principal import jurisdiction_sql, within
from backend.storage.postgres.pool import PgConn

SENSITIVE = ("moderate", "moderately_severe", "severe", "self_harm")
"""Counts of people by finding: small ones are suppressed (docs/blockdata.md's rule, K = 5)."""


@dataclass
class Tally:
    """Raw counts of one path or unit, before suppression."""

    assessments: int = 0
    people_assessed: int = 0
    moderate: int = 0
    moderately_severe: int = 0
    severe: int = 0
    self_harm: int = 0
    counselling: int = 0
    crisis_interventions: int = 0
    referrals: int = 0
    activities: int = 0
    attendees: int = 0
    open_crises: int = 0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def published(self) -> Figures:
        counts = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in SENSITIVE:
            if is_small(counts[name]):
                counts[name] = None
        return Figures(**counts)


@dataclass
class PathTallies:
    """Tallies per org path of the records in a scope."""

    by_path: dict[str, Tally] = field(default_factory=dict)

    def at(self, path: str) -> Tally:
        return self.by_path.setdefault(path, Tally())

    def under(self, unit: str) -> Tally:
        """Everything recorded at ``unit`` or below it."""
        out = Tally()
        for path, tally in self.by_path.items():
            if within(path, unit):
                out.add(tally)
        return out


_PEOPLE = f"""
WITH latest AS (
    SELECT DISTINCT ON (person_id, scale) person_id, scale, band, self_harm, org_path, at
    FROM psych_assessments
    WHERE at >= $2 AND at < $3 AND {jurisdiction_sql("org_path", 1)}
    ORDER BY person_id, scale, at DESC
), per_person AS (
    SELECT person_id,
           (array_agg(org_path ORDER BY at DESC))[1] AS org_path,
           max(CASE band WHEN 'severe' THEN 4 WHEN 'moderately_severe' THEN 3
                         WHEN 'moderate' THEN 2 ELSE 0 END) AS worst,
           bool_or(self_harm) AS self_harm
    FROM latest GROUP BY person_id
)
SELECT org_path, count(*) AS people_assessed,
       count(*) FILTER (WHERE worst = 2) AS moderate,
       count(*) FILTER (WHERE worst = 3) AS moderately_severe,
       count(*) FILTER (WHERE worst = 4) AS severe,
       count(*) FILTER (WHERE self_harm) AS self_harm
FROM per_person GROUP BY org_path
"""
_ASSESSMENTS = f"""
SELECT org_path, count(*) AS assessments FROM psych_assessments
WHERE at >= $2 AND at < $3 AND {jurisdiction_sql("org_path", 1)} GROUP BY org_path
"""
_SERVICES = f"""
SELECT org_path,
       count(*) FILTER (WHERE kind = 'counselling') AS counselling,
       count(*) FILTER (WHERE kind = 'crisis_intervention') AS crisis_interventions,
       count(*) FILTER (WHERE outcome IN ('referred_psychiatry', 'referred_hospital', 'incident_raised'))
           AS referrals
FROM psych_services
WHERE at >= $2 AND at < $3 AND {jurisdiction_sql("org_path", 1)} GROUP BY org_path
"""
_ACTIVITIES = f"""
SELECT org_path, count(*) AS activities, coalesce(sum(attendees), 0)::int AS attendees
FROM psych_activities
WHERE at >= $2 AND at < $3 AND {jurisdiction_sql("org_path", 1)} GROUP BY org_path
"""
_CRISES = f"""
SELECT org_path, count(*) AS open_crises FROM early_warnings
WHERE rule = $2 AND state <> 'resolved' AND {jurisdiction_sql("org_path", 1)} GROUP BY org_path
"""


def _merge(tallies: PathTallies, rows: Iterable[Any]) -> None:
    for row in rows:
        tally = tallies.at(row["org_path"])
        for name, value in dict(row).items():
            if name != "org_path":
                setattr(tally, name, value)


async def tally_paths(conn: PgConn, scope: str, since: datetime, until: datetime) -> PathTallies:
    """Every record in ``scope`` in [since, until), counted per org path; open crises as of now."""
    tallies = PathTallies()
    for sql in (_PEOPLE, _ASSESSMENTS, _SERVICES, _ACTIVITIES):
        _merge(tallies, await conn.fetch(sql, scope, since, until))
    _merge(tallies, await conn.fetch(_CRISES, scope, PSYCH_CRISIS))
    return tallies


async def unit_table(
    conn: PgConn, scope: str, level: str, since: datetime, until: datetime
) -> UnitFiguresPage:
    """Every unit of ``level`` in ``scope`` (zero included) and the scope's total."""
    units = await conn.fetch(
        f"SELECT path, name_zh, name_en FROM org_units WHERE level = $2 AND {jurisdiction_sql('path', 1)} "
        "ORDER BY path",
        scope,
        level,
    )
    tallies = await tally_paths(conn, scope, since, until)
    return UnitFiguresPage(
        level=level,
        since=since,
        until=until,
        units=[
            UnitFigures(
                org_path=u["path"],
                name_zh=u["name_zh"],
                name_en=u["name_en"],
                figures=tallies.under(u["path"]).published(),
            )
            for u in units
        ],
        total=tallies.under(scope).published(),
    )
