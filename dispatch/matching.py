"""Pure candidate selection and ranking: no I/O, no clock (`now` is always an argument).

The Redis side (dispatch/lua/search.lua) only narrows the field: it returns every responder
that *could* be among the k nearest (with a millimetre of slack). The final, exact decision is
`select_nearest` here, with the one distance function of dispatch/geo.py, so the answer equals
`brute_force_nearest` over the same fleet. `search_rings` is the same ring algorithm over an
in-memory fleet: the reference the property tests hold the stopping rule against.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from dispatch.errors import InvalidQueryError
from dispatch.geo import (
    MAX_RADIUS_M,
    distance_m,
    last_useful_ring,
    plan_rings,
    ring_gap_m,
    ring_lower_bound_m,
)
from dispatch.models import Candidate, Capability, DutyStatus, SpeedModel, TravelMode


class Entry(NamedTuple):
    """A live responder as the search sees it (what one cell set holds per responder)."""

    responder_id: str
    lat: float
    lon: float
    fix_ts: float
    status: DutyStatus
    mode: TravelMode
    capabilities: frozenset[Capability]


class Query(NamedTuple):
    """A nearest-responder question; `now` and `freshness_s` decide who is still live."""

    lat: float
    lon: float
    capability: Capability | None
    k: int
    max_radius_m: float
    statuses: frozenset[DutyStatus]
    now: float
    freshness_s: float


def check_query(query: Query) -> None:
    """Raise InvalidQueryError when a query is outside the domain the search is exact for."""
    if query.k < 1:
        raise InvalidQueryError(f"k must be >= 1, got {query.k}")
    if not 0.0 <= query.max_radius_m <= MAX_RADIUS_M:
        raise InvalidQueryError(
            f"max_radius_m must be in 0..{MAX_RADIUS_M}, got {query.max_radius_m}"
        )
    if not (-90.0 <= query.lat <= 90.0 and -180.0 <= query.lon <= 180.0):
        raise InvalidQueryError(f"origin ({query.lat}, {query.lon}) is not a WGS84 point")
    if not query.statuses:
        raise InvalidQueryError("statuses must name at least one duty status")


def is_eligible(entry: Entry, query: Query) -> bool:
    """Fresh, in an asked-for status and holding the asked-for capability."""
    return (
        entry.fix_ts >= query.now - query.freshness_s
        and entry.status in query.statuses
        and (query.capability is None or query.capability in entry.capabilities)
    )


def select_nearest(entries: Iterable[Entry], query: Query) -> list[tuple[float, Entry]]:
    """The exact k nearest eligible entries within the radius, as (distance, entry).

    Sorted by distance, ties by responder id. When an id appears twice (a responder caught
    mid-way through a cross-shard move) only its newest fix counts.
    """
    newest: dict[str, Entry] = {}
    for entry in entries:
        seen = newest.get(entry.responder_id)
        if seen is None or entry.fix_ts > seen.fix_ts:
            newest[entry.responder_id] = entry
    # is_eligible, inlined: this runs on every search reply
    cutoff = query.now - query.freshness_s
    statuses, capability = query.statuses, query.capability
    lat, lon, radius = query.lat, query.lon, query.max_radius_m
    scored = []
    for entry in newest.values():
        if (
            entry.fix_ts < cutoff
            or entry.status not in statuses
            or (capability is not None and capability not in entry.capabilities)
        ):
            continue
        dist = distance_m(lat, lon, entry.lat, entry.lon)
        if dist <= radius:
            scored.append((dist, entry))
    scored.sort(key=_distance_then_id)
    return scored[: query.k]


def _distance_then_id(pair: tuple[float, Entry]) -> tuple[float, str]:
    return pair[0], pair[1].responder_id


def brute_force_nearest(entries: Iterable[Entry], query: Query) -> list[tuple[float, Entry]]:
    """Reference answer: every entry considered, no index. For tests and the recall bench."""
    return select_nearest(entries, query)


def search_rings(
    entries_in: Callable[[str], Iterable[Entry]], query: Query, origin: str, slack_m: float = 0.0
) -> list[tuple[float, Entry]]:
    """Ring search over an in-memory fleet, with the stopping rule of search.lua.

    `entries_in(cell)` gives the entries filed under a cell of `origin`'s resolution; the query
    point must lie in `origin` (or within `slack_m` / 2 of it, for coarse rings). After ring r it
    stops once k entries are known and the bound of ring r+1 exceeds the k-th distance.
    """
    check_query(query)
    gap = ring_gap_m(origin)
    found: list[Entry] = []
    best: list[tuple[float, Entry]] = []
    for ring in range(last_useful_ring(query.max_radius_m, gap, slack_m) + 1):
        for plan in plan_rings(origin, ring, ring, 0):
            found += (e for cells in plan.ring_cells() for c in cells for e in entries_in(c))
        best = select_nearest(found, query)
        reach = best[-1][0] if len(best) == query.k else query.max_radius_m
        if ring_lower_bound_m(ring + 1, gap, slack_m) > reach:
            break
    return best


def describe_distance(distance_m: float) -> str:
    """'850 m' below a kilometre, '2.1 km' above."""
    if distance_m < 1000.0:
        return f"{distance_m:.0f} m"
    return f"{distance_m / 1000.0:.1f} km"


def describe_duration(seconds: float) -> str:
    """'~45 s' under a minute, '~4 min' above (rounded up: promise no one an early arrival)."""
    if seconds < 60.0:
        return f"~{math.ceil(seconds)} s"
    return f"~{math.ceil(seconds / 60.0)} min"


_CAPABILITY_REASON = {cap: f"capability {cap.value}" for cap in Capability}
_STATUS_REASON = {status: f"status {status.value}" for status in DutyStatus}
_MODE_WORDS = {TravelMode.on_foot: "on foot", TravelMode.vehicle: "by vehicle"}


@lru_cache(maxsize=1024)
def _sorted_capabilities(capabilities: frozenset[Capability]) -> tuple[Capability, ...]:
    return tuple(sorted(capabilities))


def make_candidate(
    entry: Entry,
    distance: float,
    *,
    capability: Capability | None,
    now: float,
    speed: SpeedModel,
) -> Candidate:
    """A Candidate with its ETA, last-seen age and the human reasons shown to operators."""
    eta = speed.eta_s(distance, entry.mode)
    age = max(0.0, now - entry.fix_ts)
    # the fixed words are made once per value: this runs for every candidate of every search
    travel = f"{describe_distance(distance)}, {describe_duration(eta)} {_MODE_WORDS[entry.mode]}"
    seen = f"seen {round(age)} s ago"  # = f"{age:.0f}", faster
    status = _STATUS_REASON[entry.status]
    reasons = (
        (travel, seen, status)
        if capability is None
        else (_CAPABILITY_REASON[capability], travel, seen, status)
    )
    return Candidate(
        responder_id=entry.responder_id,
        lat=entry.lat,
        lon=entry.lon,
        distance_m=distance,
        eta_s=eta,
        age_s=age,
        status=entry.status,
        capabilities=_sorted_capabilities(entry.capabilities),
        mode=entry.mode,
        reasons=reasons,
    )


def make_candidates(
    nearest: Sequence[tuple[float, Entry]],
    *,
    capability: Capability | None,
    now: float,
    speed: SpeedModel,
) -> list[Candidate]:
    """Candidates for `select_nearest`'s answer, in the same (distance, id) order."""
    return [
        make_candidate(entry, dist, capability=capability, now=now, speed=speed)
        for dist, entry in nearest
    ]


def rank_candidates(candidates: Collection[Candidate]) -> list[Candidate]:
    """Order for offering: soonest arrival first, then shorter distance, then responder id."""
    return sorted(candidates, key=lambda c: (c.eta_s, c.distance_m, c.responder_id))
