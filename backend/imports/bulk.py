"""Bulk mode of a merge: load a table that the import at least doubles without its secondary
indexes and foreign keys, then build them again, all inside the import's transaction.

Maintaining a B-tree or GIN index row by row costs a random page touch per row and key, and a
foreign key check is a query and a row lock on the referenced table per row; at hundreds of
thousands of rows that is most of an import (persons: 116 s with them, 37 s with the indexes built
afterwards, on the loaded 2-core test machine). Building an index once sorts its keys, and
re-adding a foreign key validates it with one anti-join — PostgreSQL's own advice for populating
a database. Unique constraints that no foreign key relies on go too (the staging checks already
reject duplicates; re-adding one checks again). Primary keys stay: other tables refer to them.

The price: the dropped objects are DDL, so the live table is locked (ACCESS EXCLUSIVE) until the
import commits and its referenced tables take a SHARE ROW EXCLUSIVE lock (no writes) while the
keys are re-added. That is why only a load that at least doubles the table goes this way — a first
load, or a reload of a small table — and an incremental import keeps the row-by-row path. A
failure rolls the DDL back with everything else: the table keeps its indexes and keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.storage.postgres.pool import PgConn

# Index builds sort in memory up to this (the server default is 64 MB); set for the transaction.
BUILD_MEMORY = "256MB"
# Below this many rows, row-by-row maintenance is cheap enough and takes no DDL lock.
BULK_MIN_ROWS = 10_000


@dataclass(frozen=True)
class Dropped:
    """What was taken off a table, to be put back: index and constraint definitions."""

    table: str
    indexes: list[str]
    constraints: list[tuple[str, str]]


async def worth_bulk(conn: PgConn, table: str, incoming: int) -> bool:
    """True when ``incoming`` rows would at least double ``table`` (counts at most that many)."""
    if incoming < BULK_MIN_ROWS:
        return False
    live = await conn.fetchval(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT $1) t", incoming)
    return int(live) < incoming


async def drop_secondary(conn: PgConn, table: str) -> Dropped:
    """Drop ``table``'s foreign keys, free unique constraints and the indexes no constraint owns;
    what to put back."""
    indexes = await conn.fetch(
        """
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i
        WHERE i.indrelid = $1::regclass AND NOT i.indisprimary AND NOT i.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        table,
    )
    # Foreign keys of the table, and unique constraints no foreign key relies on (the merge and
    # the staging checks already guarantee them; re-adding one checks it again).
    keys = await conn.fetch(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c
        WHERE c.conrelid = $1::regclass AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS (
            SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)))
        ORDER BY c.contype DESC, c.conname
        """,
        table,
    )
    for key in keys:
        await conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{key["conname"]}"')
    for index in indexes:
        await conn.execute(f"DROP INDEX {index['name']}")
    return Dropped(
        table=table,
        indexes=[r["definition"] for r in indexes],
        constraints=[(r["conname"], r["definition"]) for r in keys],
    )


async def restore(conn: PgConn, dropped: Dropped) -> None:
    """Build the dropped indexes and re-add (and so validate) the dropped constraints."""
    await conn.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for definition in dropped.indexes:
        await conn.execute(definition)
    # Unique constraints sort before foreign keys ("u" > "f" descending), as they were dropped.
    for name, definition in dropped.constraints:
        await conn.execute(f'ALTER TABLE {dropped.table} ADD CONSTRAINT "{name}" {definition}')
