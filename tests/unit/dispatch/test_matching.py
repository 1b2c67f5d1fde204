"""Pure selection and ranking: the ring search equals brute force, stale never comes back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import h3
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.errors import DispatchError, InvalidQueryError
from dispatch.geo import cell_of, coarse_slack_m
from dispatch.matching import (
    Entry,
    Query,
    brute_force_nearest,
    describe_distance,
    describe_duration,
    make_candidate,
    rank_candidates,
    search_rings,
    select_nearest,
)
from dispatch.models import Candidate, Capability, DutyStatus, SpeedModel, TravelMode

NOW = 1_800_000_000.0
PINGSHAN = (22.64, 22.78, 114.28, 114.45)
AVAILABLE = frozenset({DutyStatus.available})


def query(lat: float = 22.7, lon: float = 114.35, **overrides: object) -> Query:
    fields: dict[str, object] = {
        "capability": None,
        "k": 5,
        "max_radius_m": 5000.0,
        "statuses": AVAILABLE,
        "now": NOW,
        "freshness_s": 60.0,
    }
    fields.update(overrides)
    return Query(lat, lon, **fields)  # type: ignore[arg-type]


def entry(rid: str, lat: float = 22.7, lon: float = 114.35, **overrides: object) -> Entry:
    fields: dict[str, object] = {
        "fix_ts": NOW - 5,
        "status": DutyStatus.available,
        "mode": TravelMode.vehicle,
        "capabilities": frozenset({Capability.police}),
    }
    fields.update(overrides)
    return Entry(rid, lat, lon, **fields)  # type: ignore[arg-type]


def ids(answer: Sequence[tuple[float, Entry]]) -> list[str]:
    return [e.responder_id for _, e in answer]


def by_cell(entries: Iterable[Entry], res: int) -> dict[str, list[Entry]]:
    cells: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        cells[cell_of(e.lat, e.lon, res)].append(e)
    return cells


def assert_same_answer(
    got: Sequence[tuple[float, Entry]], want: Sequence[tuple[float, Entry]]
) -> None:
    assert ids(got) == ids(want), f"ring search {ids(got)} != brute force {ids(want)}"
    assert [d for d, _ in got] == [d for d, _ in want]


entries_st = st.builds(
    entry,
    rid=st.from_regex(r"r[0-9]{1,4}", fullmatch=True),
    lat=st.floats(PINGSHAN[0], PINGSHAN[1]),
    lon=st.floats(PINGSHAN[2], PINGSHAN[3]),
    fix_ts=st.floats(NOW - 120, NOW),
    status=st.sampled_from(list(DutyStatus)),
    mode=st.sampled_from(list(TravelMode)),
    capabilities=st.frozensets(st.sampled_from(list(Capability)), min_size=1, max_size=3),
)
queries_st = st.builds(
    query,
    lat=st.floats(PINGSHAN[0] - 0.02, PINGSHAN[1] + 0.02),
    lon=st.floats(PINGSHAN[2] - 0.02, PINGSHAN[3] + 0.02),
    capability=st.none() | st.sampled_from(list(Capability)),
    k=st.integers(1, 12),
    max_radius_m=st.sampled_from([0.0, 150.0, 800.0, 3000.0, 12000.0, 50000.0]),
    statuses=st.frozensets(st.sampled_from(list(DutyStatus)), min_size=1),
)


def by_coarse_cell(entries: Iterable[Entry], res: int) -> dict[str, list[Entry]]:
    """Entries filed under the grandparent of their index cell, as the occupancy sets do."""
    cells: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        cells[h3.cell_to_parent(cell_of(e.lat, e.lon, res), res - 2)].append(e)
    return cells


fleets_st = st.lists(entries_st, max_size=150, unique_by=lambda e: e.responder_id)


@settings(max_examples=150, deadline=None)
@given(fleet=fleets_st, q=queries_st, res=st.sampled_from([7, 8, 9]))
def test_ring_search_equals_brute_force(fleet: list[Entry], q: Query, res: int) -> None:
    q = q._replace(max_radius_m=min(q.max_radius_m, 12000.0))  # keeps ring counts small
    cells = by_cell(fleet, res)
    got = search_rings(lambda cell: cells.get(cell, []), q, cell_of(q.lat, q.lon, res))
    assert_same_answer(got, brute_force_nearest(fleet, q))


@settings(max_examples=150, deadline=None)
@given(fleet=fleets_st, q=queries_st, res=st.sampled_from([8, 9]))
def test_coarse_ring_search_equals_brute_force(fleet: list[Entry], q: Query, res: int) -> None:
    cells = by_coarse_cell(fleet, res)
    origin = h3.cell_to_parent(cell_of(q.lat, q.lon, res), res - 2)
    got = search_rings(lambda cell: cells.get(cell, []), q, origin, coarse_slack_m(res - 2))
    assert_same_answer(got, brute_force_nearest(fleet, q))


@settings(max_examples=100, deadline=None)
@given(fleet=st.lists(entries_st, max_size=80), q=queries_st)
def test_stale_or_unwanted_responders_are_never_returned(fleet: list[Entry], q: Query) -> None:
    for _, e in select_nearest(fleet, q):
        assert e.fix_ts >= q.now - q.freshness_s, f"{e.responder_id} is stale"
        assert e.status in q.statuses
        assert q.capability is None or q.capability in e.capabilities


def test_a_clustered_fleet_far_from_the_origin_is_found_exactly() -> None:
    # everyone 4 km away: many empty rings before the first hit, the stop rule must not fire early
    fleet = [entry(f"r{i:03}", 22.736 + i * 1e-5, 114.35) for i in range(40)]
    cells = by_cell(fleet, 9)
    q = query(k=7)
    got = search_rings(lambda c: cells.get(c, []), q, cell_of(q.lat, q.lon, 9))
    assert_same_answer(got, brute_force_nearest(fleet, q))


def test_ties_are_broken_by_responder_id_and_the_newest_duplicate_wins() -> None:
    fleet = [entry("b"), entry("a"), entry("c", lat=22.7001), entry("a", lat=22.71, fix_ts=NOW - 1)]
    got = select_nearest(fleet, query(k=3))
    assert ids(got) == ["b", "c", "a"]  # the newer fix of "a" is 1.1 km away
    assert got[2][1].fix_ts == NOW - 1


def test_the_freshness_limit_and_radius_are_inclusive() -> None:
    fleet = [entry("edge", fix_ts=NOW - 60), entry("old", fix_ts=NOW - 60.001)]
    assert ids(select_nearest(fleet, query())) == ["edge"]
    assert ids(select_nearest([entry("here")], query(max_radius_m=0.0))) == ["here"]


@pytest.mark.parametrize(
    ("overrides", "word"),
    [
        ({"k": 0}, "k must be"),
        ({"max_radius_m": -1.0}, "max_radius_m"),
        ({"max_radius_m": 60_000.0}, "max_radius_m"),
        ({"statuses": frozenset()}, "statuses"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(overrides: dict[str, object], word: str) -> None:
    with pytest.raises(InvalidQueryError, match=word) as caught:
        search_rings(lambda cell: [], query(**overrides), cell_of(22.7, 114.35, 8))
    assert isinstance(caught.value, DispatchError)
    assert isinstance(caught.value, ValueError)


def test_candidate_carries_eta_age_and_reasons() -> None:
    e = entry("r1", mode=TravelMode.vehicle, fix_ts=NOW - 7)
    c = make_candidate(e, 2100.0, capability=Capability.police, now=NOW, speed=SpeedModel())
    assert c.eta_s == pytest.approx(2100.0 * 1.4 / 8.0)
    assert c.age_s == 7.0
    assert c.reasons == (
        "capability police",
        "2.1 km, ~7 min by vehicle",
        "seen 7 s ago",
        "status available",
    )


def test_speed_model_per_mode() -> None:
    speed = SpeedModel()
    assert speed.eta_s(1300.0, TravelMode.on_foot) == pytest.approx(1300.0)
    assert speed.eta_s(800.0, TravelMode.vehicle) == pytest.approx(140.0)
    assert SpeedModel(vehicle_mps=10.0, vehicle_detour=1.0).eta_s(100.0, TravelMode.vehicle) == 10.0


def test_descriptions_round_up_time_and_switch_units() -> None:
    assert describe_distance(850.4) == "850 m"
    assert describe_distance(2149.0) == "2.1 km"
    assert describe_duration(44.2) == "~45 s"
    assert describe_duration(181.0) == "~4 min"


def _candidate(rid: str, eta: float, dist: float) -> Candidate:
    made = make_candidate(entry(rid), dist, capability=None, now=NOW, speed=SpeedModel())
    return msgspec.structs.replace(made, eta_s=eta)


def test_rank_candidates_by_eta_then_distance_then_id() -> None:
    ranked = rank_candidates(
        [
            _candidate("c", 60, 900),
            _candidate("b", 60, 500),
            _candidate("a", 60, 500),
            _candidate("z", 30, 2000),
        ]
    )
    assert [c.responder_id for c in ranked] == ["z", "a", "b", "c"]
