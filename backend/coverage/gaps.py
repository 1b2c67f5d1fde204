"""The coverage rules, as plain functions over Structs.

A grid is a **gap** when it holds at least one high-risk patient and the best ETA of an
available qualified responder to its centre is unknown (nobody within the search radius) or
longer than the travel time. ETAs come from the position index's ``SpeedModel`` (straight-line
distance x detour / speed of the responder's travel mode), so the search radius for a travel
time is the distance the fastest mode covers in it: nobody farther can arrive in time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from backend.coverage.models import GridCoverage, GridLoad
from dispatch.models import Candidate, SpeedModel


def reach_m(travel_s: float, speed: SpeedModel) -> float:
    """The farthest straight-line distance from which any travel mode arrives within ``travel_s``."""
    if travel_s <= 0:
        raise ValueError(f"travel time must be positive, got {travel_s}")
    return max(
        travel_s * speed.vehicle_mps / speed.vehicle_detour,
        travel_s * speed.on_foot_mps / speed.on_foot_detour,
    )


def best_eta(candidates: Iterable[Candidate]) -> float | None:
    """The shortest ETA among ``candidates`` (None for none).

    The index returns the k *nearest*, not the k fastest: a vehicle just beyond the k-th may
    still be faster than every walker found. Callers ask for enough candidates that this only
    matters when k walkers crowd one spot, and then the grid is reported as a gap (the safe
    side for a command wall) until someone faster comes nearer.
    """
    return min((c.eta_s for c in candidates), default=None)


def assess(
    grids: Sequence[GridLoad], eta_of: Callable[[GridLoad], float | None], travel_s: float
) -> list[GridCoverage]:
    """Every grid with its best ETA (from ``eta_of``) and whether it is a gap."""
    out: list[GridCoverage] = []
    for grid in grids:
        eta = eta_of(grid)
        gap = grid.high_risk > 0 and (eta is None or eta > travel_s)
        out.append(GridCoverage(grid=grid, best_eta_s=eta, gap=gap))
    return out


def find_gaps(
    grids: Sequence[GridLoad], eta_of: Callable[[GridLoad], float | None], travel_s: float
) -> list[GridCoverage]:
    """The gaps only, most high-risk patients first, then the longest wait, then by path."""
    gaps = [c for c in assess(grids, eta_of, travel_s) if c.gap]
    return sorted(gaps, key=_gap_order)


def _gap_order(c: GridCoverage) -> tuple[int, float, str]:
    # None (nobody in reach) sorts as the longest wait
    return (
        -c.grid.high_risk,
        -(c.best_eta_s if c.best_eta_s is not None else float("inf")),
        c.grid.path,
    )
