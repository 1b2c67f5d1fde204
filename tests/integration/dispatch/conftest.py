"""A real Redis for the position index tests, and a fresh index with its own key prefix per test.

Redis is the session's (`redis_url` in tests/conftest.py: ``PINGAN_TEST_REDIS_URL``, else
127.0.0.1:6379, else an embedded one). These tests never skip: with no Redis they fail and say
how to start one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from dispatch.index import PositionIndex

HOW_TO_START = (
    "no Redis at {url} ({error}); set PINGAN_TEST_REDIS_URL or start one: redis-server "
    "--daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no"
)


async def connect(url: str, *, decode: bool = False) -> Redis:
    """A client that answered PING, or a test failure saying how to get a Redis."""
    client = Redis.from_url(url, decode_responses=decode, socket_connect_timeout=3)
    try:
        async with asyncio.timeout(5):
            await client.ping()
    except (RedisError, OSError, TimeoutError) as exc:
        await client.aclose()
        pytest.fail(HOW_TO_START.format(url=url, error=exc))
    return client


async def drop_prefix(client: Redis, prefix: str) -> None:
    """Delete every key under `prefix` (the test's own keys only)."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
    if keys:
        await client.unlink(*keys)


@pytest.fixture
def key_prefix() -> str:
    """A key prefix no other test (or engineer sharing this Redis) uses."""
    return f"test:dispatch:{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def redis_client(redis_url: str, key_prefix: str) -> AsyncIterator[Redis]:
    """A redis.asyncio client on the test Redis; the test's keys are deleted afterwards."""
    client = await connect(redis_url)
    try:
        yield client
    finally:
        await drop_prefix(client, key_prefix)
        await client.aclose()


@pytest.fixture
async def index(redis_client: Redis, key_prefix: str) -> AsyncIterator[PositionIndex]:
    """A position index with default settings (res 8, shards at res 4, 60 s freshness)."""
    index = PositionIndex(redis_client, prefix=key_prefix)
    yield index
    await index.aclose()
