"""The audit log: append-only in the database, chained, and verifiable from the CLI."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from backend.security.audit import AuditEntry, AuditLog
from backend.storage.postgres.pool import PgPool
from tests.conftest import ROOT

KEY = b"a" * 32


async def _fill(pool: PgPool, count: int) -> None:
    log = AuditLog(KEY)

    async def one(i: int) -> None:
        async with pool.acquire() as conn:
            await log.append(
                conn,
                AuditEntry(
                    action="test.event", actor_name=f"user{i}", details={"i": i, "x": [1, "二"]}
                ),
            )

    await asyncio.gather(*(one(i) for i in range(count)))


async def test_concurrent_appends_form_one_intact_chain(clean_db: PgPool) -> None:
    await _fill(clean_db, 40)
    async with clean_db.acquire() as conn:
        report = await AuditLog(KEY).verify_chain(conn)
        seqs = [r["seq"] for r in await conn.fetch("SELECT seq FROM audit_log ORDER BY seq")]
    assert report.ok
    assert report.rows == 40
    assert seqs == list(range(1, 41))


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"],
)
async def test_database_refuses_changes(clean_db: PgPool, statement: str) -> None:
    await _fill(clean_db, 2)
    async with clean_db.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)
        assert await conn.fetchval("SELECT count(*) FROM audit_log") == 2


async def _tamper(conn: asyncpg.Connection, sql: str) -> None:  # type: ignore[type-arg]
    # What a person with superuser rights could do by hand: switch the triggers off and edit.
    await conn.execute(
        f"SET session_replication_role = replica; {sql}; SET session_replication_role = DEFAULT"
    )


async def test_altered_row_is_found(clean_db: PgPool) -> None:
    await _fill(clean_db, 10)
    async with clean_db.acquire() as conn:
        await _tamper(conn, "UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = 6")
        report = await AuditLog(KEY).verify_chain(conn)
    assert not report.ok
    assert report.first_broken_seq == 6


async def test_deleted_row_is_found(clean_db: PgPool) -> None:
    await _fill(clean_db, 10)
    async with clean_db.acquire() as conn:
        await _tamper(conn, "DELETE FROM audit_log WHERE seq = 4")
        report = await AuditLog(KEY).verify_chain(conn)
    assert report.first_broken_seq == 4
    assert "missing" in (report.problem or "")


def _verify_cli(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env.update(
        PINGAN_DATABASE_URL=database_url,
        PINGAN_REDIS_URL="redis://127.0.0.1:1/0",  # not needed by this command
        PINGAN_DATA_DIR=str(tmp_path),
        PINGAN_AUDIT_KEY=base64.b64encode(KEY).decode(),
    )
    return subprocess.run(
        [sys.executable, "-m", "backend", "audit", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_cli_verifies_and_names_the_broken_row(
    clean_db: PgPool, database_url: str, tmp_path: Path
) -> None:
    await _fill(clean_db, 12)
    good = await asyncio.to_thread(_verify_cli, database_url, tmp_path)
    assert good.returncode == 0, good.stderr
    assert "intact: 12 rows" in good.stdout
    async with clean_db.acquire() as conn:
        await _tamper(conn, "UPDATE audit_log SET details = '{\"i\": 99}' WHERE seq = 9")
    bad = await asyncio.to_thread(_verify_cli, database_url, tmp_path)
    assert bad.returncode == 1
    assert "broken at row 9" in bad.stderr
