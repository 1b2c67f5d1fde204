"""The rollup behind the one map: counts per (layer, key, res-9 cell, org path).

People, special groups, houses, rental houses, buildings, enterprises and patients are too many
(or, for patients, too costly to join per request) to count within the latency goal, so they are
kept as counts. Every write to their tables (import, API, plain SQL) appends what it changed to
``map_cell_deltas`` in its own transaction (statement triggers of migrations 0011 and 0012), so a
record counts as soon as it commits; the map reads ``map_cell_counts`` plus the deltas, and
:func:`fold_layers` (run by every import and by the scheduler's ``map_fold`` job) moves the deltas
into the counts. Events and key places are few enough (or need a time window) to be counted live.
Only counts are stored, never identities.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from backend.storage.postgres.pool import PgConn

# layer -> SELECT of (key, address_id, org_path) rows to count: a record counts in the cell of its
# address and under ``org_path``, or under the address's org path when that is NULL. Patients
# carry their own (the map has always filtered them on it). The triggers of migrations 0011 and
# 0012 say the same.
ROLLUP_SOURCES: dict[str, str] = {
    "people": "SELECT '' AS key, address_id, NULL::text AS org_path FROM persons WHERE address_id IS NOT NULL",
    "groups": "SELECT unnest(tags) AS key, address_id, NULL::text AS org_path FROM persons "
    "WHERE address_id IS NOT NULL",
    "houses": "SELECT use AS key, address_id, NULL::text AS org_path FROM houses",
    "rentals": "SELECT coalesce(rental_grade, 'ungraded') AS key, address_id, NULL::text AS org_path "
    "FROM houses WHERE is_rental",
    "buildings": "SELECT use AS key, address_id, NULL::text AS org_path FROM buildings",
    "enterprises": "SELECT industry AS key, address_id, NULL::text AS org_path FROM enterprises",
    "patients": "SELECT pt.risk_grade::text AS key, p.address_id, pt.org_path "
    "FROM patients pt JOIN persons p ON p.id = pt.person_id WHERE p.address_id IS NOT NULL",
}

# Both counts and deltas, one row per (key, res-9 cell, org path), for reads of the map.
LIVE_COUNTS = """
    SELECT key, h3_r9, org_path, n FROM map_cell_counts WHERE layer = {layer}
    UNION ALL
    SELECT key, h3_r9, org_path, n FROM map_cell_deltas WHERE layer = {layer}
"""


async def _lock_layers(conn: PgConn, layers: list[str]) -> None:
    # One folder of a layer at a time, locks taken in one order: folds never deadlock.
    for layer in sorted(layers):
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('pingan.map.' || $1))", layer)


async def fold_layers(conn: PgConn, *layers: str) -> None:
    """Move the committed (and this transaction's) deltas of ``layers`` into the counts.

    Deltas appended by transactions still running are not visible and stay for the next fold;
    the map reads counts plus deltas, so a fold never changes what the map shows.
    """
    names = list(layers or ROLLUP_SOURCES)
    async with conn.transaction():
        await _lock_layers(conn, names)
        await conn.execute(
            """
            WITH moved AS (
                DELETE FROM map_cell_deltas WHERE layer = ANY($1::text[])
                RETURNING layer, key, h3_r9, org_path, n
            ), sums AS (
                SELECT layer, key, h3_r9, org_path, sum(n) AS n FROM moved GROUP BY 1, 2, 3, 4
            ), updated AS (
                UPDATE map_cell_counts c SET n = c.n + s.n FROM sums s
                WHERE (c.layer, c.key, c.h3_r9, c.org_path) = (s.layer, s.key, s.h3_r9, s.org_path)
                RETURNING c.layer, c.key, c.h3_r9, c.org_path
            )
            -- Not ON CONFLICT: its CHECK sees the negative delta as the row to insert.
            INSERT INTO map_cell_counts (layer, key, h3_r9, h3_r8, h3_r7, org_path, n)
            SELECT layer, key, h3_r9, h3_parent(h3_r9, 8), h3_parent(h3_r9, 7), org_path, n
            FROM sums s WHERE n <> 0 AND NOT EXISTS (
                SELECT 1 FROM updated u
                WHERE (u.layer, u.key, u.h3_r9, u.org_path) = (s.layer, s.key, s.h3_r9, s.org_path))
            """,
            names,
        )
        await conn.execute(
            "DELETE FROM map_cell_counts WHERE layer = ANY($1::text[]) AND n = 0", names
        )


async def rebuild_layer(conn: PgConn, layer: str) -> int:
    """Recount ``layer`` from its live table (a repair); returns the number of cells written."""
    source = ROLLUP_SOURCES[layer]
    async with conn.transaction():
        await _lock_layers(conn, [layer])
        await conn.execute("DELETE FROM map_cell_counts WHERE layer = $1", layer)
        # One statement, one snapshot: the deltas dropped are exactly those already in the count.
        status = await conn.execute(
            f"""
            WITH dropped AS (DELETE FROM map_cell_deltas WHERE layer = $1)
            INSERT INTO map_cell_counts (layer, key, h3_r9, h3_r8, h3_r7, org_path, n)
            SELECT $1, s.key, a.h3_r9, h3_parent(a.h3_r9, 8), h3_parent(a.h3_r9, 7),
                   coalesce(s.org_path, a.org_path), count(*)
            FROM ({source}) s JOIN addresses a ON a.id = s.address_id
            GROUP BY s.key, a.h3_r9, coalesce(s.org_path, a.org_path)
            """,
            layer,
        )
    return int(status.rsplit(" ", 1)[-1])


async def rebuild_layers(conn: PgConn, *layers: str) -> None:
    """Recount several layers (all when none is named)."""
    for layer in layers or tuple(ROLLUP_SOURCES):
        await rebuild_layer(conn, layer)


async def move_addresses(conn: PgConn, stage: str) -> None:
    """Before addresses in ``stage`` replace live ones: move the counts of records at any address
    whose cell or org unit changes (the triggers see only writes to the counted tables).

    A record with its own org path (a patient) keeps it and moves only with the cell.
    """
    moved = f"""
        SELECT a.id, a.h3_r9 AS old_cell, a.org_path AS old_org, st.h3_r9 AS new_cell,
               st.org_path AS new_org
        FROM addresses a JOIN {stage} st ON st.id = a.id
        WHERE (a.h3_r9, a.org_path) IS DISTINCT FROM (st.h3_r9, st.org_path)
    """
    if not await conn.fetchval(f"SELECT EXISTS ({moved})"):
        return
    for layer, source in ROLLUP_SOURCES.items():
        await conn.execute(
            f"""
            WITH m AS ({moved}), items AS (
                SELECT s.key, m.old_cell AS cell, coalesce(s.org_path, m.old_org) AS org_path,
                       -1 AS d
                FROM ({source}) s JOIN m ON m.id = s.address_id
                UNION ALL
                SELECT s.key, m.new_cell, coalesce(s.org_path, m.new_org), 1
                FROM ({source}) s JOIN m ON m.id = s.address_id
            )
            INSERT INTO map_cell_deltas (layer, key, h3_r9, org_path, n)
            SELECT $1, key, cell, org_path, sum(d) FROM items
            GROUP BY key, cell, org_path HAVING sum(d) <> 0
            """,
            layer,
        )


def folder(*layers: str) -> Callable[[PgConn], Awaitable[None]]:
    """A step for an import's ``after``: fold the deltas of ``layers`` on the import's connection."""

    async def step(conn: PgConn) -> None:
        await fold_layers(conn, *layers)

    return step
