"""Key places from PostgreSQL, with each hospital's beds in use.

**In use** (a definition, see docs/frontend.md): the number of *live* incidents (state not
``closed`` or ``cancelled``) whose playbook run records a hand-over to this hospital
(``run_state.handover_hospital``, set by ``HandoverConfirmed``). An operator records it with
``POST /api/incidents/{id}/handover`` once the subject is at the hospital, which records the
register's id (``run_state.handover_hospital_id``) beside its name; or names a hospital in free
text when closing, for one not in the register. So a hand-over counts for the place whose ``id``
it records, or, named in free text, for the place of exactly that ``name`` (after trimming
spaces). Incidents of the whole database count, not only the caller's jurisdiction: a hospital
takes patients from everywhere. Closed incidents no longer count, although their patient may
still be in the bed: we hold no discharge record, so this is the load the command centre itself
is still handling, not the hospital's occupancy.
**Free** = capacity − in use, never below zero.
"""

from __future__ import annotations

from typing import Any

import msgspec

from backend.api.keyplaces.schemas import KeyPlace, KeyPlaces, PlaceKind
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

Bbox = tuple[float, float, float, float]

_HANDOVERS = """
    SELECT COALESCE(run_state->>'handover_hospital_id', btrim(run_state->>'handover_hospital')) AS named,
           count(*)::int AS n
    FROM incidents
    WHERE state NOT IN ('closed', 'cancelled') AND run_state->>'handover_hospital' IS NOT NULL
    GROUP BY 1
"""


def free_of(capacity: int | None, in_use: int) -> int | None:
    """Beds left: capacity − in use, at least zero; unknown without a capacity."""
    return None if capacity is None else max(capacity - in_use, 0)


async def handovers(conn: PgConn) -> dict[str, int]:
    """Live incidents per hospital of their hand-over: by the register's id when recorded, else
    by the name written at close."""
    return {r["named"]: r["n"] for r in await conn.fetch(_HANDOVERS) if r["named"]}


async def key_places(
    conn: PgConn,
    scope: str,
    *,
    kind: PlaceKind | None = None,
    bbox: Bbox | None = None,
    limit: int = 2000,
) -> KeyPlaces:
    """The key places under ``scope`` (an org path), optionally of one kind or in a box."""
    args: list[object] = [scope]
    clauses = [jurisdiction_sql("org_path", 1)]
    if kind is not None:
        args.append(kind)
        clauses.append(f"kind = ${len(args)}")
    if bbox is not None:
        west, south, east, north = bbox
        args.extend([west, south, east, north])
        n = len(args)
        clauses.append(f"lon BETWEEN ${n - 3} AND ${n - 1} AND lat BETWEEN ${n - 2} AND ${n}")
    args.append(limit + 1)
    rows = await conn.fetch(
        f"""
        SELECT id, kind, category, name, lat, lon, org_path, psychiatric, capacity
        FROM key_places WHERE {" AND ".join(clauses)}
        ORDER BY kind, name, id LIMIT ${len(args)}
        """,
        *args,
    )
    used = await handovers(conn) if any(r["kind"] == "hospital" for r in rows) else {}
    items = [_place(r, used) for r in rows[:limit]]
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return KeyPlaces(org_path=scope, items=items, counts=counts, truncated=len(rows) > limit)


def _place(r: Any, used: dict[str, int]) -> KeyPlace:
    """One row (an asyncpg Record) as a KeyPlace; hospitals with their beds."""
    place = KeyPlace(
        id=r["id"],
        kind=r["kind"],
        category=r["category"],
        name=r["name"],
        lat=r["lat"],
        lon=r["lon"],
        org_path=r["org_path"],
        psychiatric=r["psychiatric"],
    )
    if place.kind != "hospital":
        return place
    name = place.name.strip()
    in_use = used.get(place.id, 0) + (used.get(name, 0) if name != place.id else 0)
    capacity: int | None = r["capacity"]
    return msgspec.structs.replace(
        place, capacity=capacity, in_use=in_use, free=free_of(capacity, in_use)
    )
