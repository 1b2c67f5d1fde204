"""Long-lived resources of one backend process and their Litestar dependency providers."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.datastructures import State
from redis.asyncio import Redis

from backend.settings import Settings
from backend.storage.postgres.pool import PgPool


@dataclass
class Resources:
    """What the lifespan opens and closes: handlers receive the parts through DI."""

    settings: Settings
    pool: PgPool
    redis: Redis


def resources_of(state: State) -> Resources:
    """The resources stored on the app state by the lifespan."""
    res: Resources = state.resources
    return res


def provide_settings(state: State) -> Settings:
    """DI: the process configuration."""
    return resources_of(state).settings


def provide_pool(state: State) -> PgPool:
    """DI: the PostgreSQL pool."""
    return resources_of(state).pool


def provide_redis(state: State) -> Redis:
    """DI: the Redis client."""
    return resources_of(state).redis
