"""Redis goes away while incidents happen: nothing is lost, everything arrives after it returns."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest

from backend.security.policy import Role
from simulators.realtime_client import RealtimeClient
from tests.conftest import BackendProcess, DistrictPaths, OwnRedis
from tests.e2e.realtime_helpers import emit_events, token_for, ws_url

pytestmark = pytest.mark.e2e
OUTAGE_S = float(os.environ.get("PINGAN_TEST_REDIS_OUTAGE_S", "30"))


async def _until(predicate: Callable[[], bool], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while not predicate():
            await asyncio.sleep(0.1)


async def test_events_wait_in_the_outbox_while_redis_is_down(
    start_backend: Callable[..., BackendProcess],
    own_redis: OwnRedis,
    make_user: Any,
    paths: DistrictPaths,
    database_url: str,
) -> None:
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    backend = start_backend(PINGAN_REDIS_URL=own_redis.url)
    token = await token_for(backend.base_url, "lead.d")
    events: list[dict[str, Any]] = []
    client = RealtimeClient(
        ws_url(backend.base_url),
        lambda: token,
        ["wall"],
        lambda m: events.append(m) if m["type"] == "event" else None,
    )
    task = asyncio.create_task(client.run())
    try:
        await _until(lambda: client.state == "live" and bool(client.cursors), 15)
        before = await emit_events(database_url, paths.grid_a, 5)
        await _until(lambda: len(events) == 5, 15)
        own_redis.stop()
        during = await emit_events(database_url, paths.grid_a, 20)  # committed while Redis is away
        await asyncio.sleep(OUTAGE_S)
        assert len(events) == 5  # nothing can flow yet...
        own_redis.start(keep_data=True)
        await _until(lambda: len(events) == 25, 60)  # ...and everything flows when it returns
        assert [e["id"] for e in events] == before + during
        assert client.stats["duplicates"] == 0
    finally:
        await client.stop()
        task.cancel()


async def test_redis_restarted_empty_resynchronises_clients(
    start_backend: Callable[..., BackendProcess],
    own_redis: OwnRedis,
    make_user: Any,
    paths: DistrictPaths,
    database_url: str,
) -> None:
    await make_user("lead.d", paths.district, Role.DISTRICT_LEADER)
    backend = start_backend(PINGAN_REDIS_URL=own_redis.url)
    token = await token_for(backend.base_url, "lead.d")
    events: list[dict[str, Any]] = []
    client = RealtimeClient(
        ws_url(backend.base_url),
        lambda: token,
        ["wall"],
        lambda m: events.append(m) if m["type"] == "event" else None,
    )
    task = asyncio.create_task(client.run())
    try:
        await _until(lambda: client.state == "live" and bool(client.cursors), 15)
        await emit_events(database_url, paths.grid_a, 3)
        await _until(lambda: len(events) == 3, 15)
        own_redis.stop()
        own_redis.start(keep_data=False)
        # The hub notices the new epoch, drops its subscribers, and they come back to a snapshot.
        await _until(lambda: client.stats["resets"] == 1 and client.state == "live", 30)
        after = await emit_events(database_url, paths.grid_a, 4)
        await _until(lambda: len(events) == 7, 20)
        assert [e["id"] for e in events[3:]] == after
    finally:
        await client.stop()
        task.cancel()
