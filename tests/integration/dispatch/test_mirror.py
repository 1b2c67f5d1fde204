"""The in-process mirror on a real Redis: in step after any writes, never stale when it cannot be.

A node searches its mirror (dispatch/mirror.py) while the feed (dispatch/feed.py) keeps it in
step, and Redis itself otherwise. These tests hold it to Redis's own contents and to brute
force, through syncs racing writers, clears, flushes and a killed connection.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from dispatch.errors import IndexScriptError
from dispatch.feed import MirrorFeed
from dispatch.index import PositionIndex
from dispatch.matching import Entry, Query, brute_force_nearest
from dispatch.mirror import Mirror
from dispatch.models import Capability, DutyStatus, PositionReport, ResponderProfile, TravelMode

from .conftest import drop_prefix
from .helpers import NOW, cell_members

BOX = (22.62, 22.80, 114.25, 114.48)
POLICE = frozenset({Capability.police})


def report(rid: str, lat: float, lon: float, age: float = 1.0) -> PositionReport:
    return PositionReport(responder_id=rid, lat=lat, lon=lon, accuracy_m=5.0, ts=NOW - age)


def profile(rid: str, caps: frozenset[Capability] = POLICE) -> ResponderProfile:
    return ResponderProfile(responder_id=rid, capabilities=caps, mode=TravelMode.vehicle)


def in_step(index: PositionIndex) -> Mirror:
    assert index.feed is not None, "this index has no mirror"
    mirror = index.feed.mirror
    assert mirror is not None, "the mirror is not in step"
    return mirror


async def assert_mirror_equals_redis(index: PositionIndex) -> None:
    """The mirror holds exactly the responders Redis files, in the same cells."""
    assert index.feed is not None
    assert await index.feed.caught_up(), "the mirror did not catch up with the feed"
    held = {rid: format(cell, "x") for rid, (cell, _) in in_step(index).held().items()}
    stored = {
        rid: cell
        for (cell, cap), ids in (await cell_members(index)).items()
        if cap == "*"
        for rid in ids
    }
    assert held == stored


@pytest.fixture
async def node(redis_client: Redis, key_prefix: str) -> AsyncIterator[PositionIndex]:
    """A node's index: shards at res 6 (so moves cross shards), its mirror in step."""
    index = PositionIndex(redis_client, prefix=key_prefix, shard_res=6, mirror=True)
    index.start()
    assert index.feed is not None
    assert await index.feed.wait_in_step(), "the mirror never got in step"
    yield index
    await index.aclose()


async def test_a_node_on_a_single_redis_gets_a_mirror_and_cluster_does_not(
    redis_client: Redis, key_prefix: str
) -> None:
    plain = PositionIndex(redis_client, prefix=key_prefix)
    assert plain.feed is None  # opt-in: tests and tools search Redis unless asked
    cluster_like = PositionIndex(redis_client, prefix=key_prefix, cross_shard=False, mirror=True)
    assert cluster_like.feed is None  # a script's PUBLISH would reach every Cluster node
    await plain.aclose()
    await cluster_like.aclose()


async def test_searches_read_the_mirror_and_fall_back_to_redis_without_it(
    node: PositionIndex,
) -> None:
    async with asyncio.timeout(20):
        await node.upsert(report("a", 22.70, 114.35), profile("a"), NOW)
        await node.upsert(report("b", 22.71, 114.36), profile("b"), NOW)
        assert node.feed is not None and await node.feed.caught_up()
        # a search script Redis does not know: only a search that never calls it can answer
        node.scripts.sha["search"] = "0" * 40
        node.scripts.source["search"] = "return redis.error_reply('search must not run')"
        found = await node.nearest(
            22.70, 114.35, capability=Capability.police, k=5, max_radius_m=5000.0, now=NOW
        )
        assert [c.responder_id for c in found] == ["a", "b"]
        node.feed.out_of_step("test")
        with pytest.raises(IndexScriptError, match="script search"):
            await node.nearest(22.70, 114.35, capability=None, k=5, max_radius_m=5000.0, now=NOW)


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, int, float, float]]:
    ops = []
    for _ in range(draw(st.integers(1, 60))):
        kind = draw(st.sampled_from(["report", "report", "report", "status", "profile", "remove"]))
        ops.append(
            (
                kind,
                draw(st.integers(0, 24)),
                draw(st.floats(BOX[0], BOX[1])),
                draw(st.floats(BOX[2], BOX[3])),
            )
        )
    return ops


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations(), sweep_at=st.sampled_from([None, 30.0, 70.0]))
async def test_the_mirror_follows_every_write_and_answers_like_brute_force(
    node: PositionIndex, ops: list[tuple[str, int, float, float]], sweep_at: float | None
) -> None:
    async with asyncio.timeout(60):
        await node.clear()
        assert node.feed is not None and await node.feed.wait_in_step()
        live: dict[str, Entry] = {}
        # what the registry says of each responder: passed with every report, as the
        # positions service does (a report that crosses shards files the entry afresh)
        held: dict[str, ResponderProfile] = {}
        rnd = random.Random(len(ops))
        for step, (kind, n, lat, lon) in enumerate(ops):
            rid = f"r{n:02}"
            caps = frozenset(rnd.sample(list(Capability)[:4], rnd.randint(1, 2)))
            current = held.setdefault(rid, profile(rid, caps))
            if kind == "report":
                fix = NOW - rnd.choice([1.0, 50.0]) + step * 1e-3
                await node.upsert(report(rid, lat, lon, NOW - fix), current, NOW)
                old = live.get(rid)
                if old is None or old.fix_ts < fix:
                    live[rid] = Entry(
                        rid, lat, lon, fix, current.status, current.mode, current.capabilities
                    )
            elif kind == "status" and rid in live:
                held[rid] = msgspec.structs.replace(current, status=DutyStatus.busy)
                assert await node.set_status(rid, DutyStatus.busy)
                live[rid] = live[rid]._replace(status=DutyStatus.busy)
            elif kind == "profile" and rid in live:
                held[rid] = ResponderProfile(
                    responder_id=rid, capabilities=caps, mode=TravelMode.on_foot
                )
                assert await node.set_profile(held[rid])
                live[rid] = live[rid]._replace(
                    capabilities=caps, mode=TravelMode.on_foot, status=DutyStatus.available
                )
            elif kind == "remove":
                assert await node.remove(rid) == (rid in live)
                live.pop(rid, None)
        now = NOW
        if sweep_at is not None:
            now = NOW + sweep_at
            await node.sweep(now)
            live = {rid: e for rid, e in live.items() if e.fix_ts >= now - node.freshness_s}
        await assert_mirror_equals_redis(node)
        assert {rid: e for rid, (_, e) in in_step(node).held().items()} == live, ops
        for lat, lon in ((22.70, 114.35), (BOX[0], BOX[2]), (22.78, 114.46)):
            for cap in (None, Capability.police, Capability.psychiatrist):
                got = await node.nearest(
                    lat, lon, capability=cap, k=4, max_radius_m=20_000.0, now=now
                )
                want = brute_force_nearest(
                    live.values(),
                    Query(lat, lon, cap, 4, 20_000.0, frozenset({DutyStatus.available}), now, 60.0),
                )
                assert [(c.distance_m, c.responder_id) for c in got] == [
                    (d, e.responder_id) for d, e in want
                ]


async def test_a_sync_racing_writers_ends_in_step(redis_client: Redis, key_prefix: str) -> None:
    """Snapshot markers split the feed exactly: nothing a writer did during the sync is lost
    or applied twice, whichever shard it touched."""
    writer = PositionIndex(redis_client, prefix=key_prefix, shard_res=6)
    rnd = random.Random(7)
    spots = {f"r{i:03}": (rnd.uniform(*BOX[:2]), rnd.uniform(*BOX[2:])) for i in range(300)}
    await writer.upsert_many([(report(r, *p, 20.0), profile(r)) for r, p in spots.items()], NOW)
    stop, running, idle = asyncio.Event(), asyncio.Event(), asyncio.Event()
    steps = [0]

    async def keep_writing() -> None:
        while not stop.is_set():
            if not running.is_set():
                idle.set()  # between batches: nothing of ours in flight
                await running.wait()
                idle.clear()
            steps[0] += 1
            batch = rnd.sample(sorted(spots), 40)
            await writer.upsert_many(
                [
                    (
                        report(
                            r, rnd.uniform(*BOX[:2]), rnd.uniform(*BOX[2:]), 20.0 - steps[0] * 0.01
                        ),
                        profile(r),
                    )
                    for r in batch
                ],
                NOW,
            )
            if steps[0] % 3 == 0:
                await writer.remove(batch[0])
            await asyncio.sleep(0)

    async def writer_steps(n: int) -> None:
        target = steps[0] + n
        while steps[0] < target:
            await asyncio.sleep(0.001)

    node = PositionIndex(redis_client, prefix=key_prefix, shard_res=6, mirror=True)
    async with asyncio.timeout(60):
        task = asyncio.create_task(keep_writing())
        try:
            for _ in range(3):  # three syncs, each racing the writer
                running.set()
                await writer_steps(2)
                node.start()
                assert node.feed is not None and await node.feed.wait_in_step()
                await writer_steps(2)  # changes applied on top of the snapshot
                running.clear()
                await idle.wait()
                await assert_mirror_equals_redis(node)
                await node.feed.aclose()
        finally:
            stop.set()
            running.set()
            await task
    await node.aclose()
    await writer.aclose()


async def test_two_nodes_both_follow_a_write_and_a_clear(
    redis_client: Redis, key_prefix: str
) -> None:
    nodes = [PositionIndex(redis_client, prefix=key_prefix, mirror=True) for _ in range(2)]
    async with asyncio.timeout(20):
        for n in nodes:
            n.start()
        await nodes[0].upsert(report("a", 22.70, 114.35), profile("a"), NOW)
        for n in nodes:
            await assert_mirror_equals_redis(n)
            assert len(in_step(n)) == 1
        syncs = [n.feed.syncs for n in nodes if n.feed is not None]
        await nodes[1].clear()
        for n, before in zip(nodes, syncs, strict=True):
            assert n.feed is not None
            assert await n.feed.caught_up()
            assert n.feed.syncs > before  # it dropped what it held and synced again
            assert len(in_step(n)) == 0
            assert (
                await n.nearest(22.70, 114.35, capability=None, k=5, max_radius_m=5000.0, now=NOW)
                == []
            )
    for n in nodes:
        await n.aclose()


async def test_keys_flushed_without_notice_are_noticed_by_the_epoch(
    node: PositionIndex, redis_client: Redis, key_prefix: str
) -> None:
    """FLUSHALL publishes nothing: the epoch key vanishing makes the mirror resync (empty)."""
    assert node.feed is not None
    node.feed.epoch_check_s = 0.05
    async with asyncio.timeout(20):
        await node.upsert(report("a", 22.70, 114.35), profile("a"), NOW)
        assert await node.feed.caught_up() and len(in_step(node)) == 1
        before = node.feed.syncs
        await drop_prefix(redis_client, key_prefix)  # our keys only: the Redis is shared
        while node.feed.syncs == before:
            await asyncio.sleep(0.02)
        assert await node.feed.wait_in_step()
        assert len(in_step(node)) == 0
        assert (
            await node.nearest(22.70, 114.35, capability=None, k=5, max_radius_m=5000.0, now=NOW)
            == []
        )


async def test_a_lost_feed_connection_serves_redis_until_the_mirror_is_back(
    node: PositionIndex, redis_client: Redis
) -> None:
    feed = node.feed
    assert isinstance(feed, MirrorFeed)
    async with asyncio.timeout(20):
        await node.upsert(report("a", 22.70, 114.35), profile("a"), NOW)
        assert await feed.caught_up()
        before = feed.syncs
        clients = await redis_client.client_list()
        ours = [c["id"] for c in clients if c.get("name") == feed.client_name]
        assert len(ours) == 1, f"expected one subscriber named {feed.client_name}"
        await redis_client.execute_command("CLIENT", "KILL", "ID", ours[0])
        # a write while the mirror is away: the resync must bring it
        await node.upsert(report("b", 22.71, 114.36), profile("b"), NOW)
        found = await node.nearest(
            22.70, 114.35, capability=None, k=5, max_radius_m=5000.0, now=NOW
        )
        assert [c.responder_id for c in found] == ["a", "b"]  # from whichever is in step
        while feed.syncs == before:
            await asyncio.sleep(0.02)
        await assert_mirror_equals_redis(node)
        assert sorted(in_step(node).held()) == ["a", "b"]
