"""The rollup behind the big layers of the one map: counts per (layer, key, res-9 cell, grid).

People, special groups, houses, rental houses, buildings and enterprises are too many to count
per request within the latency goal, so each import that changes one of them rebuilds its layers
here, in the import's transaction. Patients, events and key places are few enough (or need a time
window) to be counted live. Only counts are stored, never identities.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from backend.storage.postgres.pool import PgConn

# layer -> SELECT of (key, address_id) rows to count
ROLLUP_SOURCES: dict[str, str] = {
    "people": "SELECT '' AS key, address_id FROM persons WHERE address_id IS NOT NULL",
    "groups": "SELECT unnest(tags) AS key, address_id FROM persons WHERE address_id IS NOT NULL",
    "houses": "SELECT use AS key, address_id FROM houses",
    "rentals": "SELECT coalesce(rental_grade, 'ungraded') AS key, address_id FROM houses WHERE is_rental",
    "buildings": "SELECT use AS key, address_id FROM buildings",
    "enterprises": "SELECT industry AS key, address_id FROM enterprises",
}


async def rebuild_layer(conn: PgConn, layer: str) -> int:
    """Recount ``layer`` from its live table; returns the number of cells written."""
    source = ROLLUP_SOURCES[layer]
    await conn.execute("DELETE FROM map_cell_counts WHERE layer = $1", layer)
    status = await conn.execute(
        f"""
        INSERT INTO map_cell_counts (layer, key, h3_r9, h3_r8, h3_r7, org_path, n)
        SELECT $1, s.key, a.h3_r9, h3_parent(a.h3_r9, 8), h3_parent(a.h3_r9, 7), a.org_path, count(*)
        FROM ({source}) s JOIN addresses a ON a.id = s.address_id
        GROUP BY s.key, a.h3_r9, a.org_path
        """,
        layer,
    )
    return int(status.rsplit(" ", 1)[-1])


async def rebuild_layers(conn: PgConn, *layers: str) -> None:
    """Recount several layers (all when none is named)."""
    for layer in layers or tuple(ROLLUP_SOURCES):
        await rebuild_layer(conn, layer)


def rebuilder(*layers: str) -> Callable[[PgConn], Awaitable[None]]:
    """A step for an import's ``after``: recount ``layers`` on the import's connection."""

    async def step(conn: PgConn) -> None:
        await rebuild_layers(conn, *layers)

    return step
