"""Plain-SQL migrations: ``backend/migrations/NNNN_name.sql`` applied in order, once.

Each file runs in its own transaction and is recorded in ``schema_migrations``. A session-level
advisory lock serialises concurrent runners (two nodes starting at once), so each migration is
applied exactly once; a failing file rolls back and raises :class:`MigrationError` naming it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import asyncpg
import msgspec

from backend.storage.postgres.pool import PgConn

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# An arbitrary constant shared by every pingan process: the key of the migration advisory lock.
ADVISORY_LOCK_KEY = 0x70696E67616E  # "pingan"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """A migration file is invalid or failed; the message names the file and the database error."""


class Migration(msgspec.Struct, frozen=True, kw_only=True):
    """One migration file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file, recorded so an edited, already-applied file is noticed."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in ``folder``, in version order; rejects gaps in naming and duplicates."""
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: name must look like 0001_short_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"{path.name}: version {version} used twice")
        found[version] = Migration(
            version=version, name=path.name, sql=path.read_text(encoding="utf-8")
        )
    return [found[v] for v in sorted(found)]


_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


async def applied_versions(conn: PgConn) -> dict[int, str]:
    """Versions already applied, with their checksums (empty when the table does not exist)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
    return {r["version"]: r["checksum"] for r in rows}


async def pending(conn: PgConn, folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migrations in ``folder`` not yet applied to the database behind ``conn``."""
    done = await applied_versions(conn)
    return [m for m in discover(folder) if m.version not in done]


async def migrate(conn: PgConn, folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every pending migration in order and return those applied by this call."""
    migrations = discover(folder)
    await conn.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
    try:
        await conn.execute(_BOOKKEEPING)
        done = await applied_versions(conn)
        for m in migrations:
            if m.version in done and done[m.version] != m.checksum:
                raise MigrationError(
                    f"{m.name}: already applied but the file has changed since; "
                    "add a new migration instead of editing an applied one"
                )
        applied: list[Migration] = []
        for m in migrations:
            if m.version in done:
                continue
            try:
                async with conn.transaction():
                    await conn.execute(m.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1,$2,$3)",
                        m.version,
                        m.name,
                        m.checksum,
                    )
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"{m.name}: {type(exc).__name__}: {exc}") from exc
            applied.append(m)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
