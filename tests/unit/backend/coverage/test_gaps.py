"""The pure coverage rules: search radius for a travel time, best ETA, which grids are gaps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.coverage.gaps import assess, best_eta, find_gaps, reach_m
from backend.coverage.models import GridLoad
from dispatch.models import Candidate, DutyStatus, SpeedModel, TravelMode

TEN_MIN = 600.0


def grid(path: str, high_risk: int = 1) -> GridLoad:
    return GridLoad(path=path, name_zh=path, name_en=path, lat=22.7, lon=114.3, high_risk=high_risk)


def candidate(eta_s: float, mode: TravelMode = TravelMode.vehicle) -> Candidate:
    return Candidate(
        responder_id=f"r{eta_s}",
        lat=22.7,
        lon=114.3,
        distance_m=eta_s,
        eta_s=eta_s,
        age_s=1.0,
        status=DutyStatus.available,
        capabilities=(),
        mode=mode,
        reasons=(),
    )


def test_reach_is_what_the_fastest_mode_covers() -> None:
    speed = SpeedModel()
    assert reach_m(TEN_MIN, speed) == pytest.approx(600 * 8.0 / 1.4)
    walkers_only = SpeedModel(vehicle_mps=0.5)
    assert reach_m(TEN_MIN, walkers_only) == pytest.approx(600.0)
    with pytest.raises(ValueError, match="positive"):
        reach_m(0, speed)


@given(st.floats(min_value=1, max_value=50_000), st.sampled_from(list(TravelMode)))
def test_nobody_beyond_reach_arrives_in_time(distance_m: float, mode: TravelMode) -> None:
    speed = SpeedModel()
    if distance_m > reach_m(TEN_MIN, speed) * 1.000001:
        assert speed.eta_s(distance_m, mode) > TEN_MIN


def test_best_eta_is_the_shortest_not_the_nearest() -> None:
    assert best_eta([]) is None
    assert best_eta([candidate(900, TravelMode.on_foot), candidate(300)]) == 300


def test_a_grid_is_a_gap_without_anyone_in_time() -> None:
    etas = {"a": 120.0, "b": 601.0, "c": None, "d": 600.0}
    result = assess([grid(p) for p in etas], lambda g: etas[g.path], TEN_MIN)
    assert {c.grid.path: c.gap for c in result} == {"a": False, "b": True, "c": True, "d": False}
    assert {c.grid.path: c.best_eta_s for c in result} == etas


def test_a_grid_without_high_risk_patients_is_never_a_gap() -> None:
    (only,) = assess([grid("a", high_risk=0)], lambda g: None, TEN_MIN)
    assert not only.gap


def test_gaps_most_patients_first_then_longest_wait_then_path() -> None:
    grids = [grid("x", 2), grid("y", 7), grid("z", 2), grid("w", 2), grid("v", 1)]
    etas = {"x": 700.0, "y": 650.0, "z": None, "w": 700.0, "v": 10.0}
    order = [c.grid.path for c in find_gaps(grids, lambda g: etas[g.path], TEN_MIN)]
    assert order == ["y", "z", "w", "x"]


@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.none() | st.floats(0, 5000, allow_nan=False)),
        max_size=30,
    ),
    st.floats(min_value=60, max_value=3600),
)
def test_gaps_are_exactly_the_unreached_grids_with_patients(
    rows: list[tuple[int, float | None]], travel_s: float
) -> None:
    grids = [grid(f"g{i}", n) for i, (n, _) in enumerate(rows)]
    etas = {f"g{i}": eta for i, (_, eta) in enumerate(rows)}
    found = {c.grid.path for c in find_gaps(grids, lambda g: etas[g.path], travel_s)}
    expected = {
        g.path
        for g in grids
        if g.high_risk > 0 and (etas[g.path] is None or etas[g.path] > travel_s)  # type: ignore[operator]
    }
    assert found == expected
