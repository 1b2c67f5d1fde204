"""What ``GET /api/map/key-places`` answers."""

from __future__ import annotations

from typing import Literal

import msgspec

PlaceKind = Literal["key_area", "key_facility", "safety_post", "hospital"]


class KeyPlace(msgspec.Struct, frozen=True, kw_only=True):
    """One key place. ``capacity``, ``in_use`` and ``free`` are set for hospitals only."""

    id: str
    kind: PlaceKind
    category: str | None
    name: str
    lat: float
    lon: float
    org_path: str
    psychiatric: bool = False
    capacity: int | None = None
    in_use: int | None = None
    free: int | None = None


class KeyPlaces(msgspec.Struct, frozen=True, kw_only=True):
    """Key places of the scope, ordered by kind then name; ``truncated`` when ``limit`` cut it."""

    org_path: str
    items: list[KeyPlace]
    counts: dict[str, int]
    truncated: bool = False
