"""The in-process mirror of the position index, and the nearest search over it: pure, no I/O.

Redis stays the index: every write goes through its Lua scripts, every node shares it, and it
is what survives a node's restart. Each script also publishes what it changed on the index's
feed channel (dispatch/lua/common.lua), in the order Redis applied it. A node that applies
those messages in the same order holds the same entries, so a dispatch search needs no round
trip: on a 2-core box a round trip alone is more than half of what a GEOSEARCH at 5 km costs
(docs/positions.md). dispatch/feed.py keeps a `Mirror` in step (subscribe, snapshot, resync);
this module is the state and the search, testable without servers.

Messages (bytes, as published): ``P <cell:15> <packed>`` files the entry under the cell (a put
replaces whatever the mirror held for that responder); ``D <cell:15> <id>`` removes the
responder if the mirror holds it under that cell (a cross-shard duplicate left by two racing
writers is removed only from the shard that dropped it, as in Redis).

The search is search.lua's walk over the same cells, rings and bounds (dispatch/geo.py proves
them), ranking with the one distance function, so the answer equals `brute_force_nearest`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from h3.api import basic_int as h3i

from dispatch.codec import parse_search_values
from dispatch.geo import (
    CELL_ID_CHARS,
    coarse_slack_m,
    disk_rings,
    distance_m,
    last_useful_ring,
    ring_gap_m,
    ring_lower_bound_m,
)
from dispatch.keys import ANY_CAPABILITY, CAPABILITY_CODE
from dispatch.matching import Entry, Query
from dispatch.plan import PLAN_CACHE_SIZE

PUT = ord("P")
DROP = ord("D")
_CELL_END = 1 + CELL_ID_CHARS

Bucket = dict[str, Entry]
"""The entries filed under one cell for one capability code, by responder id."""


class WalkPlan(NamedTuple):
    """The rings one search walks from an origin cell, with the bound after each ring."""

    fine: tuple[tuple[int, ...], ...]
    fine_bounds: tuple[float, ...]
    fine_cells: frozenset[int]
    coarse: tuple[tuple[int, ...], ...]
    coarse_bounds: tuple[float, ...]


@lru_cache(maxsize=PLAN_CACHE_SIZE)
def walk_plan(origin: int, radius_m: float, first_reach_m: float) -> WalkPlan:
    """search_plan's geometry (dispatch/plan.py) as cell ids: fine rings out to the first
    reach, then coarse rings (index resolution - 2) out to the radius when needed."""
    name = h3i.int_to_str(origin)
    gap = ring_gap_m(name)
    need = last_useful_ring(radius_m, gap)
    fine_last = min(need, int(first_reach_m / gap) + 1)
    fine = tuple(tuple(ring) for ring in disk_rings(origin, 0, fine_last))
    fine_bounds = tuple(ring_lower_bound_m(r + 1, gap) for r in range(fine_last + 1))
    coarse: tuple[tuple[int, ...], ...] = ()
    coarse_bounds: tuple[float, ...] = ()
    if need > fine_last:
        res = h3i.get_resolution(origin) - 2
        grand = h3i.cell_to_parent(origin, res)
        slack = coarse_slack_m(res)
        coarse_gap = ring_gap_m(h3i.int_to_str(grand))
        last = last_useful_ring(radius_m, coarse_gap, slack)
        coarse = tuple(tuple(ring) for ring in disk_rings(grand, 0, last))
        coarse_bounds = tuple(ring_lower_bound_m(r + 1, coarse_gap, slack) for r in range(last + 1))
    cells = frozenset(cell for ring in fine for cell in ring)
    return WalkPlan(fine, fine_bounds, cells, coarse, coarse_bounds)


class Mirror:
    """The live entries of the index, filed like search.lua reads them: per capability code
    ('*' = everyone) per index cell, and the occupied cells of each coarse cell."""

    def __init__(self, index_res: int) -> None:
        self.coarse_res = index_res - 2
        self._entries: dict[str, tuple[int, Entry, str]] = {}
        self._cells: dict[str, dict[int, Bucket]] = {}
        self._occupied: dict[str, dict[int, set[int]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, responder_id: str) -> Entry | None:
        """What the mirror holds for a responder (fresh or not)."""
        held = self._entries.get(responder_id)
        return None if held is None else held[1]

    def held(self) -> dict[str, tuple[int, Entry]]:
        """Every entry with its index cell, by responder id (tests, diagnostics)."""
        return {rid: (cell, entry) for rid, (cell, entry, _) in self._entries.items()}

    def apply(self, message: bytes) -> None:
        """Apply one feed message (see the module docstring); others are not ours to read."""
        kind = message[0]
        if kind == PUT:
            cell = int(message[1:_CELL_END], 16)
            value = message[_CELL_END:]
            entry = parse_search_values([value])[0]
            codes = value[27 : 27 + value[26]].decode()
            held = self._entries.get(entry.responder_id)
            if held is not None and held[0] == cell and held[2] == codes:
                # most reports stay in their cell with the same capabilities: swap the entry
                # in place, no bucket or occupancy set changes (this runs for every report)
                self._entries[entry.responder_id] = (cell, entry, codes)
                for code in (ANY_CAPABILITY, *codes):
                    self._cells[code][cell][entry.responder_id] = entry
                return
            self._unfile(entry.responder_id)
            self._file(cell, entry, codes)
        elif kind == DROP:
            responder_id = message[_CELL_END:].decode()
            held = self._entries.get(responder_id)
            if held is not None and held[0] == int(message[1:_CELL_END], 16):
                self._unfile(responder_id)

    def _file(self, cell: int, entry: Entry, codes: str) -> None:
        self._entries[entry.responder_id] = (cell, entry, codes)
        coarse = h3i.cell_to_parent(cell, self.coarse_res)
        for code in (ANY_CAPABILITY, *codes):
            cells = self._cells.setdefault(code, {})
            bucket = cells.get(cell)
            if bucket is None:
                bucket = cells[cell] = {}
                self._occupied.setdefault(code, {}).setdefault(coarse, set()).add(cell)
            bucket[entry.responder_id] = entry

    def _unfile(self, responder_id: str) -> None:
        held = self._entries.pop(responder_id, None)
        if held is None:
            return
        cell, _, codes = held
        for code in (ANY_CAPABILITY, *codes):
            cells = self._cells[code]
            bucket = cells[cell]
            del bucket[responder_id]
            if not bucket:
                del cells[cell]
                occupied = self._occupied[code]
                coarse = h3i.cell_to_parent(cell, self.coarse_res)
                occupied[coarse].discard(cell)
                if not occupied[coarse]:
                    del occupied[coarse]

    def nearest(self, query: Query, origin: int, first_reach_m: float) -> list[tuple[float, Entry]]:
        """Exactly the k nearest eligible entries within the radius, as (distance, entry),
        sorted by distance then id: `select_nearest`'s answer, found by walking rings."""
        code = ANY_CAPABILITY if query.capability is None else CAPABILITY_CODE[query.capability]
        cells = self._cells.get(code)
        if not cells:
            return []
        plan = walk_plan(origin, query.max_radius_m, first_reach_m)
        walk = _Walk(query)
        for ring, bound in zip(plan.fine, plan.fine_bounds, strict=True):
            for cell in ring:
                bucket = cells.get(cell)
                if bucket is not None:
                    walk.scan(bucket)
            if walk.proved(bound):
                return walk.answer()
        occupied = self._occupied.get(code, {})
        for ring, bound in zip(plan.coarse, plan.coarse_bounds, strict=True):
            for coarse in ring:
                for cell in occupied.get(coarse, ()):
                    if cell not in plan.fine_cells:
                        walk.scan(cells[cell])
            if walk.proved(bound):
                break
        return walk.answer()


class _Walk:
    """The k best so far; `limit` is the radius until k are known, then the k-th distance."""

    __slots__ = ("cutoff", "found", "k", "lat", "limit", "lon", "statuses")

    def __init__(self, query: Query) -> None:
        self.lat, self.lon, self.k = query.lat, query.lon, query.k
        self.limit = query.max_radius_m
        self.cutoff = query.now - query.freshness_s
        self.statuses = query.statuses
        self.found: list[tuple[float, str, Entry]] = []

    def scan(self, bucket: Bucket) -> None:
        lat, lon, limit, cutoff, statuses = (
            self.lat,
            self.lon,
            self.limit,
            self.cutoff,
            self.statuses,
        )
        for entry in bucket.values():
            if entry.fix_ts >= cutoff and entry.status in statuses:
                dist = distance_m(lat, lon, entry.lat, entry.lon)
                if dist <= limit:
                    self.found.append((dist, entry.responder_id, entry))

    def proved(self, bound: float) -> bool:
        """After a ring: keep the k best; True when no later ring (>= bound) can do better."""
        found = self.found
        if len(found) >= self.k:
            # ids are unique in the mirror, so the sort never compares two entries
            found.sort()
            del found[self.k :]
            self.limit = found[-1][0]
        return bound > self.limit

    def answer(self) -> list[tuple[float, Entry]]:
        self.found.sort()
        return [(dist, entry) for dist, _, entry in self.found[: self.k]]
