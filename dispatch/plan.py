"""Search plans: the rings of one origin cell, packed the way search.lua reads them, cached.

A plan lists the index cells of rings 0..n around the query's cell (the fine part) and, when
those rings do not reach the radius, the coarse cells of rings 0..m around its grandparent (the
coarse part), each ring with the lower bound of every ring beyond it (dispatch/geo.py proves
the bounds). search.lua walks the fine part, stops as soon as the next bound exceeds its k-th
distance, and walks the coarse part only when the fine part could not prove its answer: one
script call, one round trip, even for a sparse capability.

**Binary layout** (little-endian; `struct` in Lua reads it without any string splitting)::

    part  := cell_radius:d ring*            (b"" when the part is absent)
    ring  := bound:d count:H cell*count     bound = lower bound of every later ring (m)
    cell  := shard:H id:c15 phi:d lam:d cos_phi:d     centre in radians, shard 1-based

`shard` indexes the plan's `shards`; the caller declares each shard's `seen` key in that order
(search.lua derives the shard's key base from it).
The cell records never change, so they are built once per cell and shared by every plan.

**Warming.** Planning an origin cell costs ~0.1-0.2 ms (H3 rings, cell records); a served
plan costs a dictionary look-up. A node knows its district, so it plans every cell of it at start
(`warm_plans`), and the first query from a cell pays nothing extra. A plan is 2-5 kB: a
district (~460 res-8 cells) is about 2 MB, a whole city (~5,900 cells) about 30 MB.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

import h3
from h3.api import basic_int as h3i

from dispatch.geo import (
    cell_radius_m,
    coarse_slack_m,
    disk_rings,
    last_useful_ring,
    parent_of,
    ring_gap_m,
    ring_lower_bound_m,
)

PLAN_CACHE_SIZE = 32_768
"""Plans kept per process: a city's res-8 cells for a couple of radii."""

_RAD = math.pi / 180.0
_RING = struct.Struct("<dH")
_CELL = struct.Struct("<15sddd")
_HEAD = struct.Struct("<d")
_SHARD = struct.Struct("<H")
_FIRST = _SHARD.pack(1)


class ShardPlan(NamedTuple):
    """The fine and coarse parts of one shard's cells (shard number 1), for one call each."""

    shard: str
    fine: bytes
    coarse: bytes


class SearchPlan(NamedTuple):
    """Everything search.lua needs about the geometry of one query, ready to send.

    `fine`/`coarse` cover every shard (for one call on a single Redis); `per_shard` has the
    same cells split by shard, for Redis Cluster where one script may touch only one slot.
    `fine_last` is the outermost fine ring: the caller checks the bound after it. An empty
    part (b"") has no cell: the script skips it, a per-shard caller does not call for it.
    """

    shards: tuple[str, ...]
    fine: bytes
    coarse: bytes
    per_shard: tuple[ShardPlan, ...]
    fine_last: int


@lru_cache(maxsize=65_536)
def _cell_record(cell: int, shard_res: int) -> tuple[str, bytes]:
    # every plan around a cell repeats these 39 bytes: build them once
    lat, lon = h3i.cell_to_latlng(cell)
    phi = lat * _RAD
    record = _CELL.pack(format(cell, "x").encode(), phi, lon * _RAD, math.cos(phi))
    return format(h3i.cell_to_parent(cell, shard_res), "x"), record


Rings = list[list[tuple[str, bytes]]]
"""Per ring, the (shard, record) of each cell."""


def _records(origin: str, last: int, shard_res: int) -> Rings:
    return [
        [_cell_record(cell, shard_res) for cell in ring]
        for ring in disk_rings(h3i.str_to_int(origin), 0, last)
    ]


def _encode(
    rings: Rings, bounds: list[float], radius: float, number: dict[str, bytes], only: str = ""
) -> bytes:
    """One part: the cells of shard `only` (numbered 1), or of every shard (numbered by
    `number`). b"" when no cell qualifies: that shard has nothing in this part."""
    out = [_HEAD.pack(radius)]
    total = 0
    for cells, bound in zip(rings, bounds, strict=True):
        if only:
            records = [_FIRST + record for shard, record in cells if shard == only]
        else:
            records = [number[shard] + record for shard, record in cells]
        out.append(_RING.pack(bound, len(records)))
        out += records
        total += len(records)
    return b"".join(out) if total else b""


@lru_cache(maxsize=PLAN_CACHE_SIZE)
def search_plan(
    origin: str, radius_m: float, first_reach_m: float, shard_res: int, merged: bool
) -> SearchPlan:
    """The plan for queries from `origin` within `radius_m` (cached; see the module docstring).

    Fine rings go out to `first_reach_m` (or the radius, if smaller); the coarse part exists
    only when the fine rings cannot reach the radius. `merged` builds the all-shard parts,
    otherwise only `per_shard`.
    """
    gap = ring_gap_m(origin)
    need = last_useful_ring(radius_m, gap)
    fine_last = min(need, int(first_reach_m / gap) + 1)
    fine = _records(origin, fine_last, shard_res)
    fine_bounds = [ring_lower_bound_m(r + 1, gap) for r in range(fine_last + 1)]
    fine_radius = cell_radius_m(origin)
    coarse: Rings = []
    coarse_bounds: list[float] = []
    coarse_radius = 0.0
    if need > fine_last:
        grand = parent_of(origin, h3.get_resolution(origin) - 2)
        slack = coarse_slack_m(h3.get_resolution(grand))
        coarse_gap = ring_gap_m(grand)
        last = last_useful_ring(radius_m, coarse_gap, slack)
        coarse = _records(grand, last, shard_res)
        coarse_bounds = [ring_lower_bound_m(r + 1, coarse_gap, slack) for r in range(last + 1)]
        coarse_radius = cell_radius_m(grand) + slack / 2.0
    shards = tuple(
        sorted({shard for rings in (fine, coarse) for ring in rings for shard, _ in ring})
    )
    if merged:
        number = {shard: _SHARD.pack(i + 1) for i, shard in enumerate(shards)}
        return SearchPlan(
            shards,
            _encode(fine, fine_bounds, fine_radius, number),
            _encode(coarse, coarse_bounds, coarse_radius, number) if coarse else b"",
            (),
            fine_last,
        )
    per_shard = tuple(
        ShardPlan(
            shard,
            _encode(fine, fine_bounds, fine_radius, {}, shard),
            _encode(coarse, coarse_bounds, coarse_radius, {}, shard) if coarse else b"",
        )
        for shard in shards
    )
    return SearchPlan(shards, b"", b"", per_shard, fine_last)


def district_cells(south: float, west: float, north: float, east: float, res: int) -> list[str]:
    """Every cell of resolution `res` holding a point of a lat/lon box (what a node warms).

    The cells whose centres lie in the box, plus their neighbours: a point near the box's
    edge can lie in a cell whose centre is outside.
    """
    box = h3.LatLngPoly([(south, west), (south, east), (north, east), (north, west)])
    inside = h3.polygon_to_cells(box, res)
    return sorted({str(n) for cell in inside for n in h3.grid_disk(cell, 1)})


def warm_plans(
    cells: Iterable[str],
    radii_m: Iterable[float],
    first_reach_m: float,
    shard_res: int,
    merged: bool,
) -> int:
    """Plan every origin cell for every radius now, so no query pays for it; returns how many."""
    radii = list(radii_m)
    count = 0
    for cell in cells:
        for radius in radii:
            search_plan(cell, radius, first_reach_m, shard_res, merged)
            count += 1
    return count
