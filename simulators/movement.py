"""How simulated responders move and what their phones report: pure, time passed in.

A :class:`Mover` follows a route of waypoints at its speed. Routes are street-like: two legs
(north-south, then east-west) between points, as a city grid forces. Patrols pick waypoints in
the responder's home grid (its H3 cells) and pause at each; a trip to a scene replaces the
patrol. :func:`gps_fix` turns a true position into what a phone would report: a horizontal
accuracy, noise of that size, and the device's clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import h3

EARTH_M = 6_371_000.0
FOOT_SPEED = (1.0, 1.5)  # m/s, walking a patrol
VEHICLE_SPEED = (5.0, 12.0)  # m/s, urban driving with lights and junctions


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(h)))


def offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    """``point`` moved by metres north and east (flat-earth, fine over a district)."""
    lat, lon = point
    return (
        lat + north_m / 111_320.0,
        lon + east_m / (111_320.0 * math.cos(math.radians(lat))),
    )


def heading_deg(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Initial course from ``a`` to ``b``, degrees clockwise from north in [0, 360)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    y = math.sin(lon2 - lon1) * math.cos(lat2)
    x = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    return math.degrees(math.atan2(y, x)) % 360.0


def street_route(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """Waypoints from ``a`` to ``b`` along two street-like legs (the corner, then ``b``)."""
    return [(b[0], a[1]), b]


def cruise_speed(mode: str, distance: float, rng: random.Random) -> float:
    """A plausible speed for a trip: walkers steady, vehicles faster on longer trips."""
    if mode != "vehicle":
        return rng.uniform(*FOOT_SPEED)
    low, high = VEHICLE_SPEED
    # Short hops never get up to speed; across the district the main roads are quicker.
    reach = min(1.0, distance / 4000.0)
    return rng.uniform(low, low + (high - low) * (0.3 + 0.7 * reach))


def point_in_cells(cells: Sequence[str], rng: random.Random) -> tuple[float, float]:
    """A random point inside one of ``cells`` (H3), uniform enough for patrol waypoints."""
    cell = rng.choice(list(cells))
    lat, lon = h3.cell_to_latlng(cell)
    centre = (float(lat), float(lon))
    edge = h3.average_hexagon_edge_length(h3.get_resolution(cell), "m")
    for _ in range(8):
        candidate = offset(centre, rng.uniform(-edge, edge) * 0.8, rng.uniform(-edge, edge) * 0.8)
        if h3.latlng_to_cell(*candidate, h3.get_resolution(cell)) == cell:
            return candidate
    return centre


@dataclass
class Mover:
    """A responder's true position and where it is going. ``advance`` moves it along."""

    lat: float
    lon: float
    mode: str
    speed: float = 0.0
    route: list[tuple[float, float]] = field(default_factory=list)
    pause_until: float = 0.0
    heading: float = 0.0

    @property
    def point(self) -> tuple[float, float]:
        """Where it is now."""
        return (self.lat, self.lon)

    @property
    def arrived(self) -> bool:
        """True when the route is done (it stands still)."""
        return not self.route

    def go(self, target: tuple[float, float], rng: random.Random) -> float:
        """Set off for ``target`` along streets; returns the route's length in metres."""
        self.route = street_route(self.point, target)
        length = distance_m(self.point, self.route[0]) + distance_m(self.route[0], target)
        self.speed = cruise_speed(self.mode, length, rng)
        self.pause_until = 0.0
        return length

    def advance(self, dt: float, now: float) -> None:
        """Move ``dt`` seconds along the route (no-op while paused or with nowhere to go)."""
        if now < self.pause_until:
            return
        budget = self.speed * dt
        while self.route and budget > 0:
            target = self.route[0]
            gap = distance_m(self.point, target)
            if gap > 0.01:
                self.heading = heading_deg(self.point, target)
            if gap <= budget:
                self.lat, self.lon = target
                self.route.pop(0)
                budget -= gap
            else:
                f = budget / gap
                self.lat += (target[0] - self.lat) * f
                self.lon += (target[1] - self.lon) * f
                budget = 0

    def patrol(self, cells: Sequence[str], now: float, rng: random.Random) -> None:
        """When idle, pause a while at the spot, then walk or drive to another point of ``cells``."""
        if self.route or now < self.pause_until or not cells:
            return
        if self.pause_until == 0.0:
            # Just arrived: linger (a check-in at a building, a chat with a resident).
            self.pause_until = now + rng.uniform(10, 90)
            return
        self.go(point_in_cells(cells, rng), rng)
        if self.mode == "vehicle":
            self.speed = min(self.speed, rng.uniform(3.0, 7.0))  # patrol cars crawl


@dataclass(frozen=True)
class Fix:
    """One position report as a phone sends it."""

    lat: float
    lon: float
    accuracy_m: float
    ts: float
    speed_mps: float
    heading_deg: float | None


def gps_fix(mover: Mover, ts: float, rng: random.Random, *, moving: bool) -> Fix:
    """What the phone reports for ``mover`` at ``ts``: accuracy drawn, noise of that size."""
    roll = rng.random()
    if roll < 0.80:
        accuracy = rng.uniform(4, 20)  # open sky
    elif roll < 0.97:
        accuracy = rng.uniform(20, 60)  # urban canyon, indoors near a window
    else:
        accuracy = rng.uniform(60, 300)  # network location only
    sigma = accuracy / 2.0
    lat, lon = offset(mover.point, rng.gauss(0, sigma), rng.gauss(0, sigma))
    return Fix(
        lat=round(lat, 7),
        lon=round(lon, 7),
        accuracy_m=round(accuracy, 1),
        ts=round(ts, 3),
        speed_mps=round(min(mover.speed, 60.0), 2) if moving else 0.0,
        heading_deg=round(mover.heading, 1) if moving else None,
    )
