"""The search's own pipelined connection (dispatch/wire.py) against the real test Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import uvloop
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from dispatch.errors import IndexUnavailableError
from dispatch.index import PositionIndex
from dispatch.wire import Wire, pack
from tests.integration.dispatch.conftest import connect
from tests.integration.dispatch.test_index import NOW, PINGSHAN, profile, report


def wire_of(client: Redis) -> Wire:
    wire = Wire.for_client(client)
    assert wire is not None
    return wire


@pytest.fixture
async def wire(redis_client: Redis) -> AsyncIterator[Wire]:
    """A wire to the test Redis, closed after the test."""
    opened = wire_of(redis_client)
    try:
        yield opened
    finally:
        await opened.aclose()


async def test_replies_come_back_to_their_own_callers_when_calls_overlap(
    wire: Wire, redis_client: Redis, key_prefix: str
) -> None:
    async with asyncio.timeout(10):
        await redis_client.mset({f"{key_prefix}:k{i}": f"v{i}" for i in range(200)})
        replies = await asyncio.gather(
            *(wire.call(pack("GET", f"{key_prefix}:k{i}")) for i in range(200))
        )
        assert replies == [f"v{i}".encode() for i in range(200)]


async def test_an_error_reply_is_raised_and_the_connection_stays_usable(
    wire: Wire, redis_client: Redis, key_prefix: str
) -> None:
    async with asyncio.timeout(10):
        await redis_client.set(f"{key_prefix}:s", "text")
        with pytest.raises(ResponseError, match="not an integer"):
            await wire.call(pack("INCR", f"{key_prefix}:s"))
        with pytest.raises(NoScriptError):
            await wire.call(pack("EVALSHA", "0" * 40, 0))
        assert await wire.call(pack("GET", f"{key_prefix}:s")) == b"text"


async def test_a_killed_connection_fails_calls_in_flight_and_the_next_call_reconnects(
    wire: Wire, redis_client: Redis, key_prefix: str
) -> None:
    name = f"wire-{uuid.uuid4().hex[:8]}"
    async with asyncio.timeout(10):
        await wire.call(pack("CLIENT", "SETNAME", name))
        # a call blocked in the server when its connection is killed
        blocked = asyncio.ensure_future(wire.call(pack("BLPOP", f"{key_prefix}:none", 5)))
        await asyncio.sleep(0.2)
        assert await _kill_by_name(redis_client, name) == 1
        with pytest.raises(RedisConnectionError):
            await blocked
        assert await wire.call(pack("PING")) == b"PONG"


async def _kill_by_name(client: Redis, name: str) -> int:
    clients = await client.client_list()
    ids = [c["id"] for c in clients if c.get("name") == name]
    for client_id in ids:
        await client.client_kill_filter(_id=client_id)
    return len(ids)


async def test_a_call_past_its_timeout_fails_and_drops_the_connection(
    wire: Wire, key_prefix: str
) -> None:
    wire.call_timeout_s = 0.2
    async with asyncio.timeout(10):
        slow = asyncio.ensure_future(wire.call(pack("BLPOP", f"{key_prefix}:none", 2)))
        behind = asyncio.ensure_future(wire.call(pack("PING")))
        with pytest.raises(RedisTimeoutError):
            await slow
        # the PING behind it would have been answered out of turn: it fails too
        with pytest.raises(RedisTimeoutError):
            await behind
        wire.call_timeout_s = 5.0
        assert await wire.call(pack("PING")) == b"PONG"


async def test_the_wire_uses_the_clients_database_and_credentials(
    redis_url: str, key_prefix: str
) -> None:
    user, password = f"wire{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin = await connect(redis_url)
    try:
        await admin.acl_setuser(
            user, enabled=True, passwords=[f"+{password}"], keys=["*"], commands=["+@all"]
        )
        client = Redis.from_url(redis_url, username=user, password=password, db=3)
        wire = wire_of(client)
        try:
            async with asyncio.timeout(10):
                await client.set(f"{key_prefix}:db3", "here")
                assert await wire.call(pack("GET", f"{key_prefix}:db3")) == b"here"
                assert await wire.call(pack("ACL", "WHOAMI")) == user.encode()
                wrong = Wire(
                    host=wire.host, port=wire.port, path=wire.path, username=user, password="wrong"
                )
                with pytest.raises(ResponseError):
                    await wrong.call(pack("PING"))
        finally:
            await client.delete(f"{key_prefix}:db3")
            await wire.aclose()
            await client.aclose()
    finally:
        await admin.acl_deluser(user)
        await admin.aclose()


async def test_a_reply_nobody_asked_for_drops_the_connection(
    wire: Wire, redis_client: Redis, key_prefix: str
) -> None:
    channel = f"{key_prefix}:channel"
    async with asyncio.timeout(10):
        # a subscribed connection receives messages it did not ask for
        await wire.call(pack("SUBSCRIBE", channel))
        assert wire.connected
        await redis_client.publish(channel, "unasked")
        while wire.connected:
            await asyncio.sleep(0.01)
        assert await wire.call(pack("PING")) == b"PONG"
        assert wire.connected


def test_unix_socket_clients_get_a_unix_wire_and_tls_clients_none() -> None:
    unix = Wire.for_client(Redis.from_url("unix:///tmp/pingan-test-redis.sock?db=2"))
    assert unix is not None
    assert (unix.path, unix.db) == ("/tmp/pingan-test-redis.sock", 2)
    assert Wire.for_client(Redis.from_url("rediss://127.0.0.1:6379/0")) is None


async def test_redis_gone_is_index_unavailable_on_the_search_path(key_prefix: str) -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    index = PositionIndex(client, prefix=key_prefix)
    assert index.wire is not None
    try:
        async with asyncio.timeout(10):
            with pytest.raises(IndexUnavailableError):
                await index.nearest(*PINGSHAN, capability=None, k=1, max_radius_m=100, now=NOW)
    finally:
        await index.aclose()
        await client.aclose()


async def test_a_search_after_its_connection_and_scripts_were_lost_succeeds(
    index: PositionIndex, redis_client: Redis
) -> None:
    async with asyncio.timeout(10):
        await index.upsert(report("r1", *PINGSHAN), profile("r1"), NOW)
        assert index.wire is not None
        await index.wire.call(pack("CLIENT", "SETNAME", "search-wire-test"))
        # as when Redis restarts: connection and scripts gone; the search reconnects, reloads
        assert await _kill_by_name(redis_client, "search-wire-test") == 1
        await redis_client.script_flush()
        found = await index.nearest(*PINGSHAN, capability=None, k=1, max_radius_m=100, now=NOW)
        assert [c.responder_id for c in found] == ["r1"]


def test_the_wire_runs_on_uvloop_as_the_backend_does(redis_url: str, key_prefix: str) -> None:
    async def search() -> list[str]:
        client = await connect(redis_url)
        index = PositionIndex(client, prefix=key_prefix)
        try:
            await index.upsert(report("r1", *PINGSHAN), profile("r1"), NOW)
            found = await index.nearest(*PINGSHAN, capability=None, k=1, max_radius_m=100, now=NOW)
            return [c.responder_id for c in found]
        finally:
            await index.clear()
            await index.aclose()
            await client.aclose()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(asyncio.wait_for(search(), 10)) == ["r1"]
