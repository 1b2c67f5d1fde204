"""Liveness and readiness: what a load balancer and an operator ask first."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.security.guards import PUBLIC
from backend.storage.postgres.migrate import discover
from backend.storage.postgres.pool import PgPool

PROBE_TIMEOUT_S = 2.0


class Check(msgspec.Struct, frozen=True, kw_only=True):
    """One dependency's state."""

    ok: bool
    detail: str = ""


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    """The answer of /readyz: overall and per dependency."""

    ready: bool
    postgres: Check
    redis: Check
    migrations: Check
    down: list[str]


async def check_postgres(pool: PgPool) -> tuple[Check, Check]:
    """Reachability of PostgreSQL and whether every migration file is applied."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S), pool.acquire() as conn:
            latest = await conn.fetchval("SELECT max(version) FROM schema_migrations")
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return Check(ok=False, detail=f"unreachable: {type(exc).__name__}"), Check(
            ok=False, detail="unknown"
        )
    expected = max((m.version for m in discover()), default=0)
    if (latest or 0) < expected:
        return Check(ok=True), Check(ok=False, detail=f"at {latest}, files go to {expected}")
    return Check(ok=True), Check(ok=True, detail=f"at {latest}")


async def check_redis(redis: Redis) -> Check:
    """Reachability of Redis."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_S):
            await redis.ping()
    except (OSError, TimeoutError, RedisError) as exc:
        return Check(ok=False, detail=f"unreachable: {type(exc).__name__}")
    return Check(ok=True)


class HealthController(Controller):
    """``/healthz`` (process alive) and ``/readyz`` (dependencies reachable, schema current)."""

    path = "/"
    tags = ["health"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/healthz", opt=PUBLIC, summary="The process is alive")
    async def healthz(self) -> dict[str, str]:
        """Always 200 while the event loop runs."""
        return {"status": "ok"}

    @get(
        "/readyz",
        opt=PUBLIC,
        summary="PostgreSQL and Redis reachable, migrations current",
    )
    async def readyz(
        self, pool: NamedDependency[PgPool], redis: NamedDependency[Redis]
    ) -> Response[Readiness]:
        """200 when everything is up; 503 naming what is down otherwise."""
        (pg, migrations), rd = await asyncio.gather(check_postgres(pool), check_redis(redis))
        down = [
            name
            for name, c in (("postgres", pg), ("redis", rd), ("migrations", migrations))
            if not c.ok
        ]
        body = Readiness(ready=not down, postgres=pg, redis=rd, migrations=migrations, down=down)
        return Response(body, status_code=200 if not down else 503)
