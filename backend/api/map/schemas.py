"""What the one map's aggregation and drill-down answer: counts, never identities."""

from __future__ import annotations

from typing import Literal

import msgspec

Layer = Literal[
    "people",
    "groups",
    "houses",
    "rentals",
    "buildings",
    "enterprises",
    "patients",
    "events",
    "places",
    "disputes",
]
Level = Literal["district", "street", "community", "grid"]


class CellCount(msgspec.Struct, frozen=True, kw_only=True):
    """The count of one H3 cell; ``count`` is null and ``suppressed`` true when it is 1–4."""

    cell: str
    lat: float
    lon: float
    count: int | None
    suppressed: bool = False


class CellCounts(msgspec.Struct, frozen=True, kw_only=True):
    """Counts per H3 cell of one layer in the caller's jurisdiction."""

    layer: Layer
    key: str | None
    res: int
    cells: list[CellCount]
    suppressed_cells: int
    """How many cells were reported as "<5" (only sensitive layers suppress)."""


class UnitCount(msgspec.Struct, frozen=True, kw_only=True):
    """The count of one org unit; suppressed like a cell."""

    path: str
    name_zh: str
    name_en: str
    count: int | None
    suppressed: bool = False


class UnitCounts(msgspec.Struct, frozen=True, kw_only=True):
    """Counts per org unit of one level in the caller's jurisdiction."""

    layer: Layer
    key: str | None
    level: Level
    units: list[UnitCount]


class BuildingSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A building for the drill-down: where it is, what it is, how much is in it."""

    id: str
    address_id: str
    address: str
    lat: float
    lon: float
    use: str
    floors: int | None
    org_path: str
    houses: int
    rentals: int


class BuildingPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of buildings."""

    items: list[BuildingSummary]


class HouseSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A house of a building; its residents are listed by ``/api/persons?address_id=``."""

    id: str
    address_id: str
    address: str
    floor: int | None
    use: str
    area_m2: float | None
    is_rental: bool
    rental_grade: str | None
    residents: int


class HousePage(msgspec.Struct, frozen=True, kw_only=True):
    """The houses of one building."""

    building_id: str
    items: list[HouseSummary]
