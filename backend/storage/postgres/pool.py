"""The asyncpg connection pool: JSON codecs and sane timeouts on every connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg
import msgspec

# asyncpg's classes are generic only in its stubs; at run time (where Litestar reads handler
# signatures) they cannot be subscripted. These aliases are the one place that knows.
# PgConn is anything a query can run on: a plain connection or one borrowed from the pool.
if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    PgPool = asyncpg.Pool[asyncpg.Record]
    PgConn = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    PgPool = asyncpg.Pool
    PgConn = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


async def init_connection(conn: PgConn) -> None:
    """Install the JSON codecs on a fresh connection."""
    # jsonb in and out through msgspec, so Structs and dicts cross the boundary without json.dumps.
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda value: msgspec.json.encode(value).decode(),
        decoder=msgspec.json.decode,
        schema="pg_catalog",
    )
    await conn.set_type_codec(
        "json",
        encoder=lambda value: msgspec.json.encode(value).decode(),
        decoder=msgspec.json.decode,
        schema="pg_catalog",
    )


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 20) -> PgPool:
    """Open a pool to ``dsn``; every statement times out after 30 s so nothing hangs forever."""
    pool: PgPool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        command_timeout=30,
        server_settings={"application_name": "pingan", "timezone": "UTC"},
    )
    return pool
