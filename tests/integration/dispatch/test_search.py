"""nearest() on a real Redis returns exactly what brute force over the same fleet returns."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from dispatch.errors import InvalidQueryError
from dispatch.index import PositionIndex
from dispatch.matching import Entry, Query, brute_force_nearest
from dispatch.models import Capability, DutyStatus, PositionReport, ResponderProfile, TravelMode

from .helpers import NOW

# a box that spans several res-6 shards and many coarse cells
BOX = (22.60, 22.82, 114.20, 114.50)


class Member:
    """One generated responder: what we send to the index and what brute force sees."""

    def __init__(
        self,
        i: int,
        lat: float,
        lon: float,
        age: float,
        status: DutyStatus,
        caps: frozenset[Capability],
        mode: TravelMode,
    ) -> None:
        rid = f"r{i:03}"
        self.report = PositionReport(
            responder_id=rid, lat=lat, lon=lon, accuracy_m=5.0, ts=NOW - age
        )
        self.profile = ResponderProfile(
            responder_id=rid, capabilities=caps, mode=mode, status=status
        )
        self.entry = Entry(rid, lat, lon, NOW - age, status, mode, caps)


def members(draw: st.DrawFn) -> list[Member]:
    n = draw(st.integers(0, 120))
    clustered = draw(st.booleans())
    out = []
    for i in range(n):
        if clustered:  # many at nearly the same spot: ties and dense cells
            lat = 22.70 + draw(st.integers(0, 3)) * 1e-5
            lon = 114.35 + draw(st.integers(0, 3)) * 1e-5
        else:
            lat = draw(st.floats(BOX[0], BOX[1]))
            lon = draw(st.floats(BOX[2], BOX[3]))
        out.append(
            Member(
                i,
                lat,
                lon,
                draw(st.sampled_from([0.0, 5.0, 59.0, 61.0, 300.0])),
                draw(
                    st.sampled_from(
                        [
                            DutyStatus.available,
                            DutyStatus.available,
                            DutyStatus.busy,
                            DutyStatus.offered,
                        ]
                    )
                ),
                draw(st.frozensets(st.sampled_from(list(Capability)[:4]), min_size=1, max_size=2)),
                draw(st.sampled_from(list(TravelMode))),
            )
        )
    return out


fleets = st.composite(members)()
queries = st.tuples(
    st.floats(BOX[0] - 0.05, BOX[1] + 0.05),
    st.floats(BOX[2] - 0.05, BOX[3] + 0.05),
    st.none() | st.sampled_from(list(Capability)[:5]),
    st.integers(1, 10),
    st.sampled_from([0.0, 200.0, 1000.0, 5000.0, 20000.0, 50000.0]),
    st.sampled_from(
        [frozenset({DutyStatus.available}), frozenset({DutyStatus.available, DutyStatus.offered})]
    ),
)


async def assert_nearest_equals_brute_force(
    index: PositionIndex,
    fleet: list[Member],
    lat: float,
    lon: float,
    cap: Capability | None,
    k: int,
    radius: float,
    statuses: frozenset[DutyStatus],
) -> None:
    got = await index.nearest(
        lat, lon, capability=cap, k=k, max_radius_m=radius, now=NOW, statuses=statuses
    )
    want = brute_force_nearest(
        [m.entry for m in fleet], Query(lat, lon, cap, k, radius, statuses, NOW, 60.0)
    )
    assert [c.responder_id for c in got] == [e.responder_id for _, e in want]
    assert [c.distance_m for c in got] == [d for d, _ in want]


async def assert_fleet_answers_like_brute_force(
    index: PositionIndex,
    fleet: list[Member],
    asked: list[tuple[float, float, Capability | None, int, float, frozenset[DutyStatus]]],
) -> None:
    """Load `fleet` into a cleared index, then check every query of `asked`; closes the index."""
    try:
        async with asyncio.timeout(60):
            await index.clear()
            if fleet:
                await index.upsert_many([(m.report, m.profile) for m in fleet], NOW)
            for query in asked:
                await assert_nearest_equals_brute_force(index, fleet, *query)
    finally:
        await index.aclose()


@pytest.mark.parametrize(
    ("index_res", "shard_res", "use_wire"),
    [(8, 4, True), (8, 6, True), (9, 5, True), (8, 4, False)],
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fleet=fleets, asked=st.lists(queries, min_size=1, max_size=8))
async def test_nearest_equals_brute_force_on_random_fleets(
    redis_client: Redis,
    key_prefix: str,
    index_res: int,
    shard_res: int,
    use_wire: bool,
    fleet: list[Member],
    asked: list[tuple[float, float, Capability | None, int, float, frozenset[DutyStatus]]],
) -> None:
    """On a single Redis, over the search's own connection and (as for TLS) over redis-py."""
    index = PositionIndex(
        redis_client,
        prefix=key_prefix,
        index_res=index_res,
        shard_res=shard_res,
        first_reach_m=800.0,
        use_wire=use_wire,
    )
    assert (index.wire is not None) == use_wire
    await assert_fleet_answers_like_brute_force(index, fleet, asked)


@pytest.mark.parametrize(("index_res", "shard_res"), [(8, 4), (8, 6)])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fleet=fleets, asked=st.lists(queries, min_size=1, max_size=8))
async def test_per_shard_search_for_redis_cluster_equals_brute_force(
    redis_client: Redis,
    key_prefix: str,
    index_res: int,
    shard_res: int,
    fleet: list[Member],
    asked: list[tuple[float, float, Capability | None, int, float, frozenset[DutyStatus]]],
) -> None:
    """The Cluster path (one slot per call, coarse phase as a second call) is exact too."""
    index = PositionIndex(
        redis_client,
        prefix=key_prefix,
        index_res=index_res,
        shard_res=shard_res,
        first_reach_m=800.0,
        cross_shard=False,
    )
    await assert_fleet_answers_like_brute_force(index, fleet, asked)


async def test_sparse_responders_far_away_are_found_through_coarse_rings(
    index: PositionIndex,
) -> None:
    async with asyncio.timeout(10):
        fleet = [
            Member(
                i,
                22.95 + i * 0.01,
                114.60,
                1.0,
                DutyStatus.available,
                frozenset({Capability.psychiatrist}),
                TravelMode.vehicle,
            )
            for i in range(3)
        ]
        await index.upsert_many([(m.report, m.profile) for m in fleet], NOW)
        await assert_nearest_equals_brute_force(
            index,
            fleet,
            22.70,
            114.35,
            Capability.psychiatrist,
            2,
            50000.0,
            frozenset({DutyStatus.available}),
        )
        assert (
            await index.nearest(
                22.70,
                114.35,
                capability=Capability.psychiatrist,
                k=2,
                max_radius_m=30000.0,
                now=NOW,
            )
            == []
        )


async def test_candidates_explain_themselves(index: PositionIndex) -> None:
    async with asyncio.timeout(10):
        report = PositionReport(
            responder_id="walker", lat=22.7090, lon=114.35, accuracy_m=5.0, ts=NOW - 7
        )
        await index.upsert(
            report,
            ResponderProfile(
                responder_id="walker",
                capabilities=frozenset({Capability.social_worker}),
                mode=TravelMode.on_foot,
            ),
            NOW,
        )
        [c] = await index.nearest(
            22.70, 114.35, capability=Capability.social_worker, k=3, max_radius_m=2000, now=NOW
        )
        assert c.distance_m == pytest.approx(1000.75, abs=1.0)
        assert c.eta_s == pytest.approx(c.distance_m * 1.3 / 1.3)
        assert c.age_s == pytest.approx(7.0)
        assert c.reasons == (
            "capability social_worker",
            "1.0 km, ~17 min on foot",
            "seen 7 s ago",
            "status available",
        )


async def test_bad_queries_are_refused_before_touching_redis(index: PositionIndex) -> None:
    with pytest.raises(InvalidQueryError, match="k must be"):
        await index.nearest(22.7, 114.35, capability=None, k=0, max_radius_m=100, now=NOW)
    with pytest.raises(InvalidQueryError, match="max_radius_m"):
        await index.nearest(22.7, 114.35, capability=None, k=1, max_radius_m=80_000, now=NOW)
