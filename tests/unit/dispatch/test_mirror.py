"""The in-process mirror without servers: feed messages build it, its walk equals brute force."""

from __future__ import annotations

import struct

import h3
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch.keys import MODE_CODE, STATUS_CODE, encode_capabilities
from dispatch.matching import Entry, Query, brute_force_nearest
from dispatch.mirror import Mirror
from dispatch.models import Capability, DutyStatus, TravelMode

NOW = 1_800_000_000.0
BOX = (22.60, 22.82, 114.20, 114.50)
RES = 8


def cell_hex(lat: float, lon: float, res: int = RES) -> bytes:
    return str(h3.latlng_to_cell(lat, lon, res)).encode()


def put(entry: Entry, cell: bytes | None = None) -> bytes:
    """A 'P' message as common.lua publishes it (`pack`: 3 doubles, status, mode, caps, id)."""
    caps = encode_capabilities(entry.capabilities).encode()
    packed = (
        struct.pack("<ddd", entry.lat, entry.lon, entry.fix_ts)
        + STATUS_CODE[entry.status].encode()
        + MODE_CODE[entry.mode].encode()
        + bytes([len(caps)])
        + caps
        + entry.responder_id.encode()
    )
    return b"P" + (cell or cell_hex(entry.lat, entry.lon)) + packed


def drop(responder_id: str, cell: bytes) -> bytes:
    return b"D" + cell + responder_id.encode()


def entry(
    rid: str,
    lat: float = 22.70,
    lon: float = 114.35,
    *,
    fix_ts: float = NOW - 5,
    status: DutyStatus = DutyStatus.available,
    caps: frozenset[Capability] = frozenset({Capability.police}),
) -> Entry:
    return Entry(rid, lat, lon, fix_ts, status, TravelMode.vehicle, caps)


def ask(lat: float = 22.70, lon: float = 114.35, **overrides: object) -> Query:
    fields: dict[str, object] = {
        "capability": None,
        "k": 5,
        "max_radius_m": 5000.0,
        "statuses": frozenset({DutyStatus.available}),
        "now": NOW,
        "freshness_s": 60.0,
    }
    fields.update(overrides)
    return Query(lat, lon, **fields)  # type: ignore[arg-type]


def nearest_ids(mirror: Mirror, query: Query, first_reach_m: float = 1500.0) -> list[str]:
    origin = h3.str_to_int(h3.latlng_to_cell(query.lat, query.lon, RES))
    return [e.responder_id for _, e in mirror.nearest(query, origin, first_reach_m)]


def test_a_put_is_read_back_exactly_and_replaces_the_earlier_one() -> None:
    mirror = Mirror(RES)
    first = entry("a", caps=frozenset({Capability.police, Capability.psychiatrist}))
    mirror.apply(put(first))
    assert mirror.entry("a") == first
    moved = entry("a", 22.75, 114.40, fix_ts=NOW - 1, caps=frozenset({Capability.police}))
    mirror.apply(put(moved))
    assert len(mirror) == 1
    assert mirror.held()["a"] == (h3.str_to_int(cell_hex(22.75, 114.40).decode()), moved)
    # no trace left at the old place, nor under the capability it no longer holds
    assert nearest_ids(mirror, ask(max_radius_m=1000.0)) == []
    assert nearest_ids(mirror, ask(22.75, 114.40, capability=Capability.psychiatrist)) == []
    assert nearest_ids(mirror, ask(22.75, 114.40, capability=Capability.police)) == ["a"]


def test_a_drop_removes_only_from_the_cell_it_names() -> None:
    mirror = Mirror(RES)
    mirror.apply(put(entry("a")))
    # a racing cross-shard writer's duplicate was dropped elsewhere: ours stays
    mirror.apply(drop("a", cell_hex(22.75, 114.40)))
    assert nearest_ids(mirror, ask()) == ["a"]
    mirror.apply(drop("a", cell_hex(22.70, 114.35)))
    assert len(mirror) == 0
    assert nearest_ids(mirror, ask()) == []
    mirror.apply(drop("nobody", cell_hex(22.70, 114.35)))  # nothing to drop: no error
    mirror.apply(b"S" + b"a-marker")  # not a change: ignored
    assert len(mirror) == 0


def test_stale_busy_and_unqualified_responders_are_never_found() -> None:
    mirror = Mirror(RES)
    for e in (
        entry("stale", fix_ts=NOW - 61),
        entry("busy", status=DutyStatus.busy),
        entry("doctor", caps=frozenset({Capability.community_doctor})),
        entry("ok", 22.71, 114.36),
    ):
        mirror.apply(put(e))
    assert nearest_ids(mirror, ask(capability=Capability.police)) == ["ok"]
    assert nearest_ids(mirror, ask(statuses=frozenset(DutyStatus))) == ["busy", "doctor", "ok"]


def test_a_sparse_capability_far_away_is_found_through_coarse_rings() -> None:
    mirror = Mirror(RES)
    far = entry("far", 22.95, 114.60, caps=frozenset({Capability.psychiatrist}))
    mirror.apply(put(far))
    query = ask(capability=Capability.psychiatrist, max_radius_m=50_000.0)
    assert nearest_ids(mirror, query) == ["far"]
    assert nearest_ids(mirror, ask(capability=Capability.psychiatrist)) == []


@st.composite
def fleets(draw: st.DrawFn) -> list[Entry]:
    n = draw(st.integers(0, 150))
    clustered = draw(st.booleans())
    out = []
    for i in range(n):
        if clustered:  # ties and dense cells
            lat = 22.70 + draw(st.integers(0, 3)) * 1e-5
            lon = 114.35 + draw(st.integers(0, 3)) * 1e-5
        else:
            lat = draw(st.floats(BOX[0], BOX[1]))
            lon = draw(st.floats(BOX[2], BOX[3]))
        out.append(
            entry(
                f"r{i:03}",
                lat,
                lon,
                fix_ts=NOW - draw(st.sampled_from([0.0, 30.0, 60.0, 61.0])),
                status=draw(st.sampled_from([DutyStatus.available, DutyStatus.busy])),
                caps=draw(st.frozensets(st.sampled_from(list(Capability)[:4]), max_size=2)),
            )
        )
    return out


queries = st.tuples(
    st.floats(BOX[0] - 0.05, BOX[1] + 0.05),
    st.floats(BOX[2] - 0.05, BOX[3] + 0.05),
    st.none() | st.sampled_from(list(Capability)[:5]),
    st.integers(1, 10),
    st.sampled_from([0.0, 200.0, 1000.0, 5000.0, 20000.0, 50000.0]),
    st.sampled_from(
        [frozenset({DutyStatus.available}), frozenset({DutyStatus.available, DutyStatus.busy})]
    ),
    st.sampled_from([300.0, 1500.0]),
)


@settings(max_examples=80, deadline=None)
@given(
    fleet=fleets(),
    moves=st.lists(
        st.tuples(st.integers(0, 149), st.sampled_from(["drop", "far", "near", "busy"])),
        max_size=30,
    ),
    asked=st.lists(queries, min_size=1, max_size=6),
)
def test_the_walk_equals_brute_force_after_any_puts_and_drops(
    fleet: list[Entry],
    moves: list[tuple[int, str]],
    asked: list[tuple[float, float, Capability | None, int, float, frozenset[DutyStatus], float]],
) -> None:
    mirror = Mirror(RES)
    live = {e.responder_id: e for e in fleet}
    for e in fleet:
        mirror.apply(put(e))
    for i, move in moves:  # drop some, move others far (another cell) or near (the same)
        if not fleet:
            break
        rid = fleet[i % len(fleet)].responder_id
        e = live.get(rid)
        if e is None:
            continue
        if move == "drop":
            mirror.apply(drop(rid, cell_hex(e.lat, e.lon)))
            del live[rid]
            continue
        if move == "busy":
            moved = e._replace(status=DutyStatus.busy)
        else:
            moved = e._replace(lat=e.lat + (0.01 if move == "far" else 1e-7), fix_ts=NOW - 1)
        mirror.apply(put(moved))
        live[rid] = moved
    assert {rid: e for rid, (_, e) in mirror.held().items()} == live
    for lat, lon, cap, k, radius, statuses, reach in asked:
        query = ask(lat, lon, capability=cap, k=k, max_radius_m=radius, statuses=statuses)
        origin = h3.str_to_int(h3.latlng_to_cell(lat, lon, RES))
        got = mirror.nearest(query, origin, reach)
        want = brute_force_nearest(live.values(), query)
        assert [(d, e.responder_id) for d, e in got] == [(d, e.responder_id) for d, e in want]
