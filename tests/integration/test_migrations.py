"""Migrations: applied once, in order, under a lock; a failing file changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from backend.storage.postgres.dsn import with_database
from backend.storage.postgres.migrate import MigrationError, discover, migrate


@pytest.fixture
async def empty_db(pg_admin_dsn: str) -> AsyncIterator[str]:
    """A brand-new empty database, dropped after the test."""
    name = f"pingan_mig_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(pg_admin_dsn, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_second_run_applies_nothing(empty_db: str) -> None:
    conn = await asyncpg.connect(empty_db)
    try:
        first = await migrate(conn)
        second = await migrate(conn)
    finally:
        await conn.close()
    assert [m.version for m in first] == [m.version for m in discover()]
    assert second == []


async def test_concurrent_runners_apply_each_migration_once(empty_db: str) -> None:
    conns = [await asyncpg.connect(empty_db) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))
        rows = await conns[0].fetch("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        for c in conns:
            await c.close()
    applied = sorted(m.version for result in results for m in result)
    assert applied == [m.version for m in discover()]  # each file applied by exactly one runner
    assert [r["version"] for r in rows] == applied


async def test_failing_migration_names_the_file_and_rolls_back(
    empty_db: str, tmp_path: Path
) -> None:
    (tmp_path / "0001_good.sql").write_text("CREATE TABLE a (x int);", encoding="utf-8")
    (tmp_path / "0002_bad.sql").write_text(
        "CREATE TABLE b (x int); INSERT INTO nowhere VALUES (1);", encoding="utf-8"
    )
    conn = await asyncpg.connect(empty_db)
    try:
        with pytest.raises(MigrationError, match=r"0002_bad\.sql.*nowhere"):
            await migrate(conn, tmp_path)
        tables = {
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
        versions = [r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")]
    finally:
        await conn.close()
    assert "a" in tables and "b" not in tables
    assert versions == [1]


async def test_edited_applied_migration_is_refused(empty_db: str, tmp_path: Path) -> None:
    file = tmp_path / "0001_one.sql"
    file.write_text("CREATE TABLE a (x int);", encoding="utf-8")
    conn = await asyncpg.connect(empty_db)
    try:
        await migrate(conn, tmp_path)
        file.write_text("CREATE TABLE a (x int, y int);", encoding="utf-8")
        with pytest.raises(MigrationError, match="has changed"):
            await migrate(conn, tmp_path)
    finally:
        await conn.close()


def test_badly_named_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_x.sql").write_text("SELECT 1", encoding="utf-8")
    with pytest.raises(MigrationError, match=r"1_x\.sql"):
        discover(tmp_path)
