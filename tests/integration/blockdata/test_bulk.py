"""Bulk mode: a load that at least doubles a table builds its indexes and foreign keys after the
merge; they come back exactly as they were, a failure keeps them, and a small top-up never drops."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from backend.imports import bulk
from backend.imports.blockdata import KINDS
from backend.imports.engine import run_import
from backend.imports.readers import read_rows
from backend.security.crypto import FieldCipher
from backend.storage.postgres.pool import PgConn, PgPool
from simulators.geography import Geography
from tests.integration.blockdata.conftest import import_file

SCHEMA = """
    SELECT 'index' AS what, indexdef AS definition FROM pg_indexes WHERE tablename = $1
    UNION ALL
    SELECT 'constraint', conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = $1::regclass
    ORDER BY 1, 2
"""


async def schema_of(conn: PgConn, table: str) -> list[tuple[str, str]]:
    return [(r["what"], r["definition"]) for r in await conn.fetch(SCHEMA, table)]


@pytest.fixture
def bulk_from_100(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Bulk mode from 100 rows; the tables it dropped indexes of, in order."""
    monkeypatch.setattr(bulk, "BULK_MIN_ROWS", 100)
    seen: list[str] = []
    drop = bulk.drop_secondary

    async def spy(conn: PgConn, table: str) -> bulk.Dropped:
        seen.append(table)
        return await drop(conn, table)

    monkeypatch.setattr("backend.imports.engine.drop_secondary", spy)
    return seen


async def test_a_first_load_rebuilds_indexes_and_keys_as_they_were(
    clean_db: PgPool,
    district: Geography,
    blockdata_files: dict[str, Path],
    cipher: FieldCipher,
    bulk_from_100: list[str],
) -> None:
    async with clean_db.acquire() as conn:
        before = {k: await schema_of(conn, KINDS[k].table) for k in KINDS}
    for kind in KINDS:
        summary, rejects = await import_file(clean_db, kind, blockdata_files[kind], cipher)
        assert not rejects and summary.inserted == summary.read, (kind, summary)
    assert "persons" in bulk_from_100 and "addresses" in bulk_from_100
    async with clean_db.acquire() as conn:
        after = {k: await schema_of(conn, KINDS[k].table) for k in KINDS}
        people = await conn.fetchval("SELECT sum(n) FROM map_cell_counts WHERE layer = 'people'")
    assert after == before
    assert people == rows_in(blockdata_files["persons"])
    bulk_from_100.clear()
    again, _ = await import_file(clean_db, "persons", blockdata_files["persons"], cipher)
    assert again.unchanged == again.read
    assert bulk_from_100 == [], "a re-import does not double the table: no DDL"


def rows_in(path: Path) -> int:
    return sum(1 for line in path.read_bytes().splitlines() if line.strip())


async def test_a_failed_bulk_load_keeps_indexes_keys_and_rows(
    clean_db: PgPool,
    district: Geography,
    blockdata_files: dict[str, Path],
    cipher: FieldCipher,
    bulk_from_100: list[str],
) -> None:
    for kind in ("addresses", "buildings", "houses"):
        await import_file(clean_db, kind, blockdata_files[kind], cipher)

    async def fail_after_merge(conn: PgConn) -> None:
        raise RuntimeError("disk full (simulated)")

    spec = dataclasses.replace(KINDS["persons"], after=(fail_after_merge,))
    async with clean_db.acquire() as conn:
        before = await schema_of(conn, "persons")
        with pytest.raises(RuntimeError, match="disk full"):
            await run_import(conn, spec, read_rows(blockdata_files["persons"]), cipher=cipher)
        assert await schema_of(conn, "persons") == before
        assert await conn.fetchval("SELECT count(*) FROM persons") == 0
    assert bulk_from_100 == ["addresses", "buildings", "houses", "persons"]
