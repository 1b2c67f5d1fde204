"""The Redis client: short timeouts so a dead Redis is reported, not waited on."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


def create_redis(url: str) -> Redis:
    """A client for ``url`` (``redis://`` or ``unix://``) that reconnects by itself."""
    return Redis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=2),
        decode_responses=False,
    )
