"""Each unit's ledgers at a glance: how many people the block data lists per group, how many are
registered, how many are overdue for a check or have an open need. Counted per org path in SQL
and summed up the tree; counts 1-4 are published as null (the one map's small-count rule, since
these are the sensitive ``groups`` layer). "Tagged" counts people with an address, by the grid of
their address, as the map does."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from backend.api.map.rollup import LIVE_COUNTS
from backend.api.map.suppression import is_small
from backend.ledgers.groups import GROUPS, Group
from backend.ledgers.models import GroupCount, LedgerSummary, UnitLedger
from backend.security.principal import jurisdiction_sql, within
from backend.storage.postgres.pool import PgConn

Counts = dict[str, dict[str, list[int]]]  # path -> group -> [tagged, registered, overdue, help]

# read from the one map's rollup of the groups layer (counts and unfolded deltas), not from a
# scan of every person's tags: the district holds 700,000 people
_TAGGED = f"""
SELECT org_path, key AS grp, sum(n)::int AS n
FROM ({LIVE_COUNTS.format(layer="'groups'")}) c
WHERE {jurisdiction_sql("org_path", 1)} AND key = ANY($2::text[])
GROUP BY 1, 2
"""
_REGISTERED = f"""
SELECT org_path, grp, count(*) AS registered,
       count(*) FILTER (WHERE due_at < $2) AS overdue,
       count(*) FILTER (WHERE needs_help) AS needs_help
FROM ledger_entries
WHERE status = 'active' AND {jurisdiction_sql("org_path", 1)}
GROUP BY 1, 2
"""


def _publish(n: int) -> int | None:
    return None if is_small(n) else n


def _counts_under(counts: Counts, unit: str, kept: tuple[Group, ...]) -> list[GroupCount]:
    sums: dict[str, list[int]] = {g: [0, 0, 0, 0] for g in GROUPS}
    for path, groups in counts.items():
        if within(path, unit):
            for group, values in groups.items():
                sums[group] = [a + b for a, b in zip(sums[group], values, strict=True)]
    return [
        GroupCount(
            group=g,
            tagged=_publish(sums[g][0]),
            registered=_publish(sums[g][1]),
            overdue=_publish(sums[g][2]),
            needs_help=_publish(sums[g][3]),
        )
        for g in kept
    ]


async def summary(
    conn: PgConn, scope: str, level: str, now: datetime, kept: tuple[Group, ...] = GROUPS
) -> LedgerSummary:
    """Every unit of ``level`` in ``scope`` (zero included) and the scope's total, for
    the ``kept`` groups (those the caller keeps)."""
    counts: Counts = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    for row in await conn.fetch(_TAGGED, scope, list(GROUPS)):
        counts[row["org_path"]][row["grp"]][0] = row["n"]
    for row in await conn.fetch(_REGISTERED, scope, now):
        values = counts[row["org_path"]][row["grp"]]
        values[1:] = [row["registered"], row["overdue"], row["needs_help"]]
    units = await conn.fetch(
        f"SELECT path, name_zh, name_en FROM org_units WHERE level = $2 AND {jurisdiction_sql('path', 1)} "
        "ORDER BY path",
        scope,
        level,
    )
    return LedgerSummary(
        level=level,
        units=[
            UnitLedger(
                org_path=u["path"],
                name_zh=u["name_zh"],
                name_en=u["name_en"],
                groups=_counts_under(counts, u["path"], kept),
            )
            for u in units
        ],
        total=_counts_under(counts, scope, kept),
    )
