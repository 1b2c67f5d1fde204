"""Geometry on H3: great-circle distance, the ring lower bound and ring plans for the search.

The nearest search visits H3 rings around the origin cell and stops when no unvisited ring can
hold anyone closer than the current k-th best. That is exact only if the lower bound below is
safe, so here is why it is.

**Lemma (ring bound).** Let p be any point of the origin cell c0 and q any point of a cell at
grid distance d >= 1 from c0. Then ``distance_m(p, q) >= (d - 1) * m``, where m is the smallest
distance between two H3 cells that do not touch, in the region the geodesic pq crosses.

*Proof.* Touching cells are neighbours (three cells meet at every vertex and each pair shares
an edge), so along the geodesic from p to q the grid distance from c0 changes by at most one
at every cell boundary. For j = 1 .. d-1 let b_j be the first point of the geodesic lying in a
cell at distance j+1 and a_j the last point before b_j lying in a cell at distance <= j-1.
The cells of a_j and b_j are two or more steps apart, so they do not touch, so the piece
a_j..b_j is at least m long. b_j also lies on the closure of the disk of radius j, hence
a_{j+1} comes at or after b_j: the d-1 pieces are disjoint, and the geodesic (whose length is
the distance) is at least (d-1)*m long.

**The constant m.** In a hexagonal tiling the closest two non-touching cells are the pair
sharing two common neighbours, and their closest points are the two ends of the edge between
those neighbours: m equals an edge length there; every other pair is a cell width (~1.7 edges)
or more apart. H3 cells are near-regular locally: edge lengths over Shenzhen stay within
0.95..1.02 of the average, and the gnomonic scale H3 uses varies by less than 1.3 % over
`MAX_RADIUS_M`. So we take ``ring_gap_m(origin) = GAP_SAFETY * (smallest edge of the origin
cell and its neighbours)`` with GAP_SAFETY = 0.9, a 10 % margin over both effects.
tests/unit/dispatch/test_geo.py checks the final inequality on exact polygon distances and on
random points, over Shenzhen and at random places on Earth.

**Coarse rings.** Searches over a large radius walk rings of *coarse* cells (index resolution
- 2) and visit the index cells filed under them (their H3 grandchildren). A grandchild is not
geometrically inside its grandparent: it sticks out by up to ~0.13 coarse edge lengths
(measured). With delta = `COARSE_DRIFT` x coarse edge (twice that), p and q are each within delta
of their coarse cells, so ``distance >= (d - 1) * m - 2 * delta``: `plan_rings` takes that
`slack_m` and subtracts it from every bound.

Time is never read here; everything is a pure function of its arguments.
"""

from __future__ import annotations

import math
import struct
from functools import lru_cache
from typing import NamedTuple

import h3
from h3.api import basic_int as h3i

EARTH_RADIUS_M = 6_371_007.180918475
"""H3's authalic radius: our distances and h3's edge lengths use the same sphere."""

GAP_SAFETY = 0.9
"""Share of the smallest local edge length taken as the gap m of the ring bound."""

MAX_RADIUS_M = 50_000.0
"""Largest search radius; the local near-regularity argument of the ring bound holds within it."""

COARSE_DRIFT = 0.25
"""Bound on how far an H3 grandchild reaches outside its grandparent, in grandparent edges."""

GAP_REGION_RES = 5
"""The gap is measured once per H3 cell of this resolution (edge ~9 km) and cached."""

CELL_ID_CHARS = 15
"""Every H3 cell id is 15 hex digits: search.lua splits concatenated cells by this width."""

_RAD = math.pi / 180.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres on the H3 sphere.

    dispatch/lua/search.lua evaluates the same formula; callers that must agree bit-for-bit
    (the final ranking) recompute with this function.
    """
    phi1 = lat1 * _RAD
    phi2 = lat2 * _RAD
    s_lat = math.sin((phi2 - phi1) / 2.0)
    s_lon = math.sin((lon2 - lon1) * _RAD / 2.0)
    a = s_lat * s_lat + math.cos(phi1) * math.cos(phi2) * s_lon * s_lon
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def ring_gap_m(origin: str) -> float:
    """The gap m of the ring bound for searches from `origin` (see the module docstring)."""
    return _regional_gap(h3.cell_to_parent(origin, GAP_REGION_RES), h3.get_resolution(origin))


@lru_cache(maxsize=4_096)
def _regional_gap(region: str, res: int) -> float:
    # measured once per res-5 region (~250 km2): edges vary < 1.3 % across MAX_RADIUS_M
    centre = h3.cell_to_center_child(region, res)
    edges = [
        h3.edge_length(edge, "m")
        for cell in h3.grid_disk(centre, 1)
        for edge in h3.origin_to_directed_edges(cell)
    ]
    return GAP_SAFETY * float(min(edges))


def ring_lower_bound_m(ring: int, gap_m: float, slack_m: float = 0.0) -> float:
    """Lower bound of the distance from any point of the origin cell to any cell of `ring`.

    `slack_m` is 0 for index cells and `coarse_slack_m` for coarse rings (module docstring).
    """
    return max(0.0, max(0, ring - 1) * gap_m - slack_m)


def last_useful_ring(radius_m: float, gap_m: float, slack_m: float = 0.0) -> int:
    """The outermost ring that can hold a point within `radius_m` of the origin."""
    return math.floor((radius_m + slack_m) / gap_m) + 1


def coarse_slack_m(coarse_res: int) -> float:
    """2 x delta: how much the grandchildren of two coarse cells can reach towards each other."""
    return 2.0 * COARSE_DRIFT * float(h3.average_hexagon_edge_length(coarse_res, "m"))


def cell_radius_m(cell: str) -> float:
    """Upper bound of the distance from a cell's centre to any point of it (cells of its region).

    Lets search.lua skip a cell whose centre is farther than the k-th distance + this radius,
    without reading it: dist(p, q) >= dist(p, centre) - radius (triangle inequality).
    """
    return _regional_radius(h3.cell_to_parent(cell, GAP_REGION_RES), h3.get_resolution(cell))


@lru_cache(maxsize=4_096)
def _regional_radius(region: str, res: int) -> float:
    centre = h3.cell_to_center_child(region, res)
    reach = max(
        distance_m(*h3.cell_to_latlng(cell), *vertex)
        for cell in h3.grid_disk(centre, 1)
        for vertex in h3.cell_to_boundary(cell)
    )
    # the farthest point of a polygon from any point is a vertex; 1/GAP_SAFETY covers the region
    return reach / GAP_SAFETY


class ShardRings(NamedTuple):
    """The cells of consecutive rings that fall in one shard, as search.lua takes them.

    `argv` is three arguments: "<bound> <count>" pairs per ring (bound = lower bound of every
    ring beyond it, metres), the cells' ids concatenated ring by ring, and their centres as
    little-endian double pairs (lat, lon). Few arguments, not one per cell: packing arguments
    is most of a small command's client-side cost.
    """

    shard: str
    argv: tuple[str, str, bytes]

    def ring_cells(self) -> list[list[str]]:
        """The cells of each ring (for tests and the pure reference search)."""
        counts = [int(c) for c in self.argv[0].split(" ")[1::2]]
        ids = split_cells(self.argv[1])
        out, start = [], 0
        for count in counts:
            out.append(ids[start : start + count])
            start += count
        return out


@lru_cache(maxsize=16_384)
def plan_rings(
    origin: str, first: int, last: int, shard_res: int, slack_m: float = 0.0
) -> tuple[ShardRings, ...]:
    """Rings `first..last` around `origin`, grouped by shard (the H3 parent at `shard_res`).

    Cached: incidents cluster, so the same origin cells come back; a plan is a few kB.
    """
    gap = ring_gap_m(origin)
    rings = disk_rings(h3i.str_to_int(origin), first, last)
    per_shard: dict[int, list[list[int]]] = {}
    for index, ring_cells in enumerate(rings):
        for cell in ring_cells:
            shard = h3i.cell_to_parent(cell, shard_res)
            if shard not in per_shard:
                per_shard[shard] = [[] for _ in rings]
            per_shard[shard][index].append(cell)
    plans = []
    for shard, shard_rings in sorted(per_shard.items()):
        bounds, ids, centres = [], [], []
        for index, cells in enumerate(shard_rings):
            bounds += [repr(ring_lower_bound_m(first + index + 1, gap, slack_m)), str(len(cells))]
            ids += [format(cell, "x") for cell in cells]
            centres += [c for cell in cells for c in h3i.cell_to_latlng(cell)]
        argv = (" ".join(bounds), "".join(ids), struct.pack(f"<{len(centres)}d", *centres))
        plans.append(ShardRings(format(shard, "x"), argv))
    return tuple(plans)


def disk_rings(origin: int, first: int, last: int) -> list[list[int]]:
    """Cells at each grid distance first..last, sorted.

    h3 >= 4.2's gridRing is safe next to pentagons (it falls back to disks there);
    tests/unit/dispatch/test_geo.py holds it to the difference of two disks.
    """
    return [sorted(h3i.grid_ring(origin, ring)) for ring in range(first, last + 1)]


def split_cells(cells: str) -> list[str]:
    """Inverse of the concatenation in `ShardRings.argv`."""
    return [cells[i : i + CELL_ID_CHARS] for i in range(0, len(cells), CELL_ID_CHARS)]


def cell_of(lat: float, lon: float, res: int) -> str:
    """The H3 cell holding a point at resolution `res`."""
    return str(h3.latlng_to_cell(lat, lon, res))


def parent_of(cell: str, res: int) -> str:
    """The ancestor of `cell` at resolution `res` (the cell itself when already there)."""
    return str(h3.cell_to_parent(cell, res))
