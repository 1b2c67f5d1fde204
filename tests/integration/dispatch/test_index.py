"""The position index against a real Redis: atomic moves, ordering, freshness, status, refill."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from dispatch.errors import DispatchError, IndexUnavailableError
from dispatch.index import PositionIndex
from dispatch.models import (
    Capability,
    DutyStatus,
    PositionReport,
    ResponderProfile,
    TravelMode,
    UpsertOutcome,
)

from .conftest import connect, drop_prefix
from .helpers import NOW, assert_counts, assert_exactly_one_cell

POLICE = frozenset({Capability.police})
DOCTOR_NURSE = frozenset({Capability.community_doctor, Capability.psychiatric_nurse})
# two points ~190 km apart: different shards at res 4 and at res 6
PINGSHAN = (22.72, 114.35)
GUANGZHOU = (23.13, 113.26)


def report(rid: str, lat: float, lon: float, ts: float = NOW - 1, **more: float) -> PositionReport:
    return PositionReport(responder_id=rid, lat=lat, lon=lon, accuracy_m=5.0, ts=ts, **more)


def profile(rid: str, caps: frozenset[Capability] = POLICE, **more: object) -> ResponderProfile:
    return ResponderProfile(responder_id=rid, capabilities=caps, **more)  # type: ignore[arg-type]


async def test_first_report_creates_newer_updates_older_or_equal_is_ignored(
    index: PositionIndex,
) -> None:
    async with asyncio.timeout(10):
        p = profile("r1")
        assert (
            await index.upsert(report("r1", *PINGSHAN, ts=NOW - 10), p, NOW)
            is UpsertOutcome.created
        )
        assert (
            await index.upsert(report("r1", 22.73, 114.36, ts=NOW - 5), p, NOW)
            is UpsertOutcome.updated
        )
        assert (
            await index.upsert(report("r1", 22.74, 114.37, ts=NOW - 7), p, NOW)
            is UpsertOutcome.ignored
        )
        assert (
            await index.upsert(report("r1", 22.75, 114.38, ts=NOW - 5), p, NOW)
            is UpsertOutcome.ignored
        )
        state = await index.get("r1", NOW)
        assert state is not None
        assert (state.lat, state.lon, state.ts) == (22.73, 114.36, NOW - 5)
        await assert_exactly_one_cell(index, {"r1": (22.73, 114.36, POLICE)})


async def test_a_batch_reports_one_outcome_per_report_in_order(index: PositionIndex) -> None:
    async with asyncio.timeout(10):
        p = profile("r1")
        await index.upsert(report("r1", *PINGSHAN, ts=NOW - 9), p, NOW)
        outcomes = await index.upsert_many(
            [
                (report("r1", 22.7201, 114.3501, ts=NOW - 3), p),
                (report("r1", 22.7201, 114.3501, ts=NOW - 3), p),  # duplicate delivery
                (report("r1", *GUANGZHOU, ts=NOW - 2), p),  # crosses shards
                (report("r1", *PINGSHAN, ts=NOW - 4), p),  # late, from the old shard
            ],
            NOW,
        )
        assert outcomes == [
            UpsertOutcome.updated,
            UpsertOutcome.ignored,
            UpsertOutcome.updated,
            UpsertOutcome.ignored,
        ]
        await assert_exactly_one_cell(index, {"r1": (*GUANGZHOU, POLICE)})


async def test_in_a_batch_for_an_unknown_responder_only_the_newest_report_counts(
    index: PositionIndex,
) -> None:
    async with asyncio.timeout(10):
        p = profile("r1")
        outcomes = await index.upsert_many(
            [
                (report("r1", *PINGSHAN, ts=NOW - 3), p),  # superseded in this batch
                (report("r1", *GUANGZHOU, ts=NOW - 2), p),
                (report("r1", *PINGSHAN, ts=NOW - 4), p),
            ],
            NOW,
        )
        assert outcomes == [UpsertOutcome.ignored, UpsertOutcome.created, UpsertOutcome.ignored]
        await assert_exactly_one_cell(index, {"r1": (*GUANGZHOU, POLICE)})


moves = st.lists(
    st.tuples(
        st.integers(0, 4),  # responder
        st.sampled_from(
            [PINGSHAN, GUANGZHOU, (22.7201, 114.3501), (22.80, 114.20), (22.64, 114.45)]
        ),
        st.integers(0, 30),  # device ts offset: shuffled, repeated
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=moves, batched=st.booleans())
async def test_random_move_sequences_keep_each_responder_in_exactly_one_cell(
    index: PositionIndex, steps: list[tuple[int, tuple[float, float], int]], batched: bool
) -> None:
    async with asyncio.timeout(30):
        await index.clear()
        caps = [POLICE, DOCTOR_NURSE, frozenset(Capability), POLICE, frozenset()]
        newest: dict[str, tuple[float, float, float]] = {}
        items = []
        for who, (lat, lon), offset in steps:
            rid = f"r{who}"
            ts = NOW - 60 + offset
            items.append((report(rid, lat + who * 1e-4, lon, ts=ts), profile(rid, caps[who])))
            if rid not in newest or ts > newest[rid][2]:
                newest[rid] = (lat + who * 1e-4, lon, ts)
        if batched:
            await index.upsert_many(items, NOW)
        else:
            for item in items:
                await index.upsert(*item, NOW)
        live = {rid: (lat, lon, caps[int(rid[1:])]) for rid, (lat, lon, _) in newest.items()}
        await assert_exactly_one_cell(index, live)
        for rid, (lat, lon, ts) in newest.items():
            state = await index.get(rid, NOW)
            assert state is not None
            assert (state.lat, state.lon, state.ts) == (lat, lon, ts)
        statuses = {rid: (lat, lon, c, DutyStatus.available) for rid, (lat, lon, c) in live.items()}
        await assert_counts(index, statuses)


async def test_cross_shard_move_evicts_the_old_shard_and_refuses_late_reports(
    index: PositionIndex,
) -> None:
    async with asyncio.timeout(10):
        p = profile("r1")
        await index.upsert(report("r1", *PINGSHAN, ts=NOW - 30), p, NOW)
        assert (
            await index.upsert(report("r1", *GUANGZHOU, ts=NOW - 20), p, NOW)
            is UpsertOutcome.updated
        )
        await index.upsert(
            report("r1", 23.131, 113.261, ts=NOW - 10), p, NOW
        )  # same shard: pointer stays at NOW - 20
        # a report from the old shard newer than the crossing but older than the stored fix
        assert (
            await index.upsert(report("r1", *PINGSHAN, ts=NOW - 15), p, NOW)
            is UpsertOutcome.ignored
        )
        await assert_exactly_one_cell(index, {"r1": (23.131, 113.261, POLICE)})
        found = await index.nearest(*GUANGZHOU, capability=None, k=5, max_radius_m=1000, now=NOW)
        assert [c.responder_id for c in found] == ["r1"]
        assert (
            await index.nearest(*PINGSHAN, capability=None, k=5, max_radius_m=1000, now=NOW) == []
        )
        # and back again, newer: accepted
        assert (
            await index.upsert(report("r1", *PINGSHAN, ts=NOW - 5), p, NOW) is UpsertOutcome.updated
        )
        await assert_exactly_one_cell(index, {"r1": (*PINGSHAN, POLICE)})


async def test_stale_positions_are_never_candidates_and_sweep_removes_them(
    index: PositionIndex,
) -> None:
    async with asyncio.timeout(10):
        await index.upsert(report("old", *PINGSHAN, ts=NOW - 61), profile("old"), NOW)
        await index.upsert(report("new", 22.7201, 114.3501, ts=NOW - 59), profile("new"), NOW)
        found = await index.nearest(
            *PINGSHAN, capability=Capability.police, k=5, max_radius_m=5000, now=NOW
        )
        assert [c.responder_id for c in found] == ["new"]
        assert await index.get("old", NOW) is None
        assert await index.sweep(NOW) == 1
        await assert_exactly_one_cell(index, {"new": (22.7201, 114.3501, POLICE)})
        assert await index.sweep(NOW + 2) == 1
        await assert_exactly_one_cell(index, {})
        assert await index.cell_counts(NOW + 2) == []
        # the next report refills it
        assert (
            await index.upsert(report("old", *PINGSHAN, ts=NOW + 1), profile("old"), NOW + 2)
            is UpsertOutcome.created
        )


async def test_a_phone_clock_running_ahead_cannot_make_a_fix_look_newer(
    index: PositionIndex,
) -> None:
    async with asyncio.timeout(10):
        await index.upsert(report("r1", *PINGSHAN, ts=NOW + 600), profile("r1"), NOW)
        state = await index.get("r1", NOW + 61)
        assert state is None  # fix time was clamped to receive time NOW


async def test_status_and_capability_changes_move_between_sets_and_counters(
    index: PositionIndex,
) -> None:
    async with asyncio.timeout(10):
        await index.upsert(report("r1", *PINGSHAN), profile("r1"), NOW)
        await index.upsert(report("r2", 22.7201, 114.3501), profile("r2", DOCTOR_NURSE), NOW)
        assert await index.set_status("r1", DutyStatus.offered)
        police = await index.nearest(
            *PINGSHAN, capability=Capability.police, k=5, max_radius_m=500, now=NOW
        )
        assert police == []
        offered = frozenset({DutyStatus.offered})
        police = await index.nearest(
            *PINGSHAN,
            capability=Capability.police,
            k=5,
            max_radius_m=500,
            now=NOW,
            statuses=offered,
        )
        assert [(c.responder_id, c.status) for c in police] == [("r1", DutyStatus.offered)]
        new = profile(
            "r2",
            frozenset({Capability.psychiatrist}),
            mode=TravelMode.on_foot,
            status=DutyStatus.busy,
        )
        assert await index.set_profile(new)
        await assert_exactly_one_cell(
            index,
            {
                "r1": (*PINGSHAN, POLICE),
                "r2": (22.7201, 114.3501, frozenset({Capability.psychiatrist})),
            },
        )
        await assert_counts(
            index,
            {
                "r1": (*PINGSHAN, POLICE, DutyStatus.offered),
                "r2": (22.7201, 114.3501, frozenset({Capability.psychiatrist}), DutyStatus.busy),
            },
        )
        state = await index.get("r2", NOW)
        assert state is not None
        assert (state.mode, state.status) == (TravelMode.on_foot, DutyStatus.busy)
        assert not await index.set_status("nobody", DutyStatus.available)


async def test_remove_takes_the_responder_out(index: PositionIndex) -> None:
    async with asyncio.timeout(10):
        await index.upsert(report("r1", *PINGSHAN), profile("r1"), NOW)
        assert await index.remove("r1")
        assert not await index.remove("r1")
        assert await index.get("r1", NOW) is None
        await assert_exactly_one_cell(index, {})


async def test_after_redis_loses_everything_the_index_refills_from_reports(
    index: PositionIndex, redis_client: Redis, key_prefix: str
) -> None:
    async with asyncio.timeout(20):
        fleet = [(report(f"r{i}", 22.70 + i * 1e-3, 114.35), profile(f"r{i}")) for i in range(20)]
        await index.upsert_many(fleet, NOW)
        await drop_prefix(redis_client, key_prefix)
        await redis_client.script_flush()  # as after a restart: scripts are gone too
        assert await index.get("r3", NOW) is None
        assert (
            await index.nearest(22.70, 114.35, capability=None, k=3, max_radius_m=5000, now=NOW)
            == []
        )
        later = [(report(r.responder_id, r.lat, r.lon, ts=NOW + 1), p) for r, p in fleet]
        assert set(await index.upsert_many(later, NOW + 1)) == {UpsertOutcome.created}
        found = await index.nearest(
            22.70, 114.35, capability=None, k=3, max_radius_m=5000, now=NOW + 1
        )
        assert [c.responder_id for c in found] == ["r0", "r1", "r2"]
        await assert_exactly_one_cell(
            index, {r.responder_id: (r.lat, r.lon, POLICE) for r, _ in later}
        )


async def test_wall_counts_match_a_recount_of_the_live_fleet(index: PositionIndex) -> None:
    async with asyncio.timeout(10):
        live = {}
        statuses = list(DutyStatus)
        for i in range(40):
            rid = f"r{i}"
            caps = [POLICE, DOCTOR_NURSE, frozenset({Capability.guardian})][i % 3]
            lat, lon = 22.65 + (i % 7) * 0.017, 114.29 + (i // 7) * 0.02
            status = statuses[i % len(statuses)]
            await index.upsert(report(rid, lat, lon), profile(rid, caps, status=status), NOW)
            live[rid] = (lat, lon, caps, status)
        await assert_counts(index, live)


async def test_a_client_that_decodes_responses_works_the_same(
    redis_url: str, key_prefix: str
) -> None:
    client = await connect(redis_url, decode=True)
    try:
        async with asyncio.timeout(10):
            index = PositionIndex(client, prefix=key_prefix)
            await index.upsert(
                report("r1", *PINGSHAN, speed_mps=3.0, heading_deg=90.0), profile("r1"), NOW
            )
            state = await index.get("r1", NOW)
            assert state is not None
            assert (state.speed_mps, state.heading_deg) == (3.0, 90.0)
            assert (
                len(await index.nearest(*PINGSHAN, capability=None, k=1, max_radius_m=100, now=NOW))
                == 1
            )
            assert await index.cell_counts(NOW)
    finally:
        await drop_prefix(client, key_prefix)
        await client.aclose()


async def test_redis_down_is_reported_as_index_unavailable(key_prefix: str) -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    index = PositionIndex(client, prefix=key_prefix)
    try:
        async with asyncio.timeout(10):
            with pytest.raises(IndexUnavailableError) as caught:
                await index.upsert(report("r1", *PINGSHAN), profile("r1"), NOW)
        assert isinstance(caught.value, DispatchError)
        assert isinstance(caught.value, ConnectionError)
    finally:
        await client.aclose()


async def test_sweep_keeps_a_responder_whose_sweep_score_lags_its_fix(index: PositionIndex) -> None:
    async with asyncio.timeout(10):
        await index.upsert(report("r1", *PINGSHAN, ts=NOW - 65), profile("r1"), NOW - 64)
        # 7 s later: upsert.lua skips the ZADD, so the sweep score still says NOW - 65
        await index.upsert(report("r1", *PINGSHAN, ts=NOW - 58), profile("r1"), NOW - 57)
        assert await index.sweep(NOW) == 0
        assert await index.get("r1", NOW) is not None
        assert await index.sweep(NOW + 3) == 1  # now genuinely stale
        await assert_exactly_one_cell(index, {})


async def test_an_entry_of_the_text_layout_is_refiled_by_its_next_report(
    index: PositionIndex,
) -> None:
    """Before 'pos', a responder hash kept its numbers as text fields. Such an entry, left in a
    Redis that outlived an upgrade, reads as unknown and the next report files it afresh."""
    async with asyncio.timeout(10):
        moved = (22.74, 114.37)
        await index.upsert(report("r1", *PINGSHAN, ts=NOW - 10), profile("r1"), NOW)
        await index.upsert(report("r2", *PINGSHAN, ts=NOW - 10), profile("r2"), NOW)
        shard = await index._shard_of("r1")
        assert shard is not None
        for rid in ("r1", "r2"):
            key = index.keys.responder(shard, rid)
            await index.redis.hdel(key, "pos")
            fix = repr(NOW - 10)
            await index.redis.hset(
                key, mapping={"ts": fix, "fix": fix, "lat": "22.72", "lon": "114.35", "acc": "5"}
            )
        assert await index.get("r1", NOW) is None  # unknown, never a wrong position
        assert (
            await index.upsert(report("r1", *moved, ts=NOW - 1), profile("r1"), NOW)
            is UpsertOutcome.created
        )
        state = await index.get("r1", NOW)
        assert state is not None
        assert (state.lat, state.lon, state.ts) == (*moved, NOW - 1)
        # a status change of an old entry drops it rather than repack numbers it cannot read
        assert not await index.set_status("r2", DutyStatus.busy)
        await assert_exactly_one_cell(index, {"r1": (*moved, POLICE)})
        await assert_counts(index, {"r1": (*moved, POLICE, DutyStatus.available)})
