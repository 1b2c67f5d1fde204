"""Resolving an incident's place: an address id, coordinates, or free text."""

from __future__ import annotations

from typing import Any

import h3
import msgspec

from backend.api.places.matching import match_address
from backend.errors import ApiError, NotFound
from backend.incidents.models import Place
from backend.positions.grids import GridLookup
from backend.security.principal import Principal
from backend.storage.postgres.pool import PgConn


class ResolvedPlace(msgspec.Struct, frozen=True, kw_only=True):
    """Where the incident is, in the registry's terms."""

    lat: float
    lon: float
    org_path: str
    address_id: str | None
    address_text: str | None


class OutsideJurisdiction(NotFound):
    """A record exists but lies outside the caller's jurisdiction; answered as 'unknown'."""

    def __init__(
        self,
        message: str,
        *,
        field: str,
        code: str,
        object_type: str,
        object_id: str,
        org_path: str,
    ) -> None:
        super().__init__(message, field=field, code=code)
        self.object_type = object_type
        self.object_id = object_id
        self.org_path = org_path


class AmbiguousPlace(ApiError):
    """Free text matched several addresses: the caller picks one of ``candidates``."""

    status_code = 409
    code = "ambiguous_place"

    def __init__(self, candidates: list[dict[str, Any]]) -> None:
        super().__init__("the address matches several places: choose one", field="place.text")
        self.details = {"candidates": candidates}


async def resolve_place(
    conn: PgConn, place: Place, principal: Principal, grids: GridLookup
) -> ResolvedPlace:
    """Exactly one of address id, coordinates or text; outside the jurisdiction is 'unknown'."""
    given = [
        place.address_id is not None,
        place.lat is not None or place.lon is not None,
        place.text is not None,
    ]
    if sum(given) != 1:
        raise ApiError("give exactly one of address_id, lat+lon, or text", field="place")
    if place.address_id is not None:
        row = await conn.fetchrow(
            "SELECT id, text, lat, lon, org_path FROM addresses WHERE id = $1", place.address_id
        )
        if row is None:
            raise NotFound(
                f"unknown address {place.address_id}",
                field="place.address_id",
                code="unknown_address",
            )
        if not principal.covers(row["org_path"]):
            raise OutsideJurisdiction(
                f"unknown address {place.address_id}",
                field="place.address_id",
                code="unknown_address",
                object_type="address",
                object_id=place.address_id,
                org_path=row["org_path"],
            )
        return ResolvedPlace(
            lat=row["lat"],
            lon=row["lon"],
            org_path=row["org_path"],
            address_id=row["id"],
            address_text=row["text"],
        )
    if place.lat is not None or place.lon is not None:
        if place.lat is None or place.lon is None:
            raise ApiError(
                "coordinates need both lat and lon",
                field="place.lat" if place.lat is None else "place.lon",
            )
        grid = grids.grid_at(place.lat, place.lon)
        if grid is None or not principal.covers(grid):
            raise ApiError(
                "the coordinates are outside your jurisdiction's grids",
                field="place.lat",
                code="outside_jurisdiction",
                status_code=422,
            )
        near = await conn.fetchrow(
            "SELECT id, text FROM addresses WHERE h3_r9 = $1 ORDER BY (lat - $2)^2 + (lon - $3)^2 LIMIT 1",
            _cell9(place.lat, place.lon),
            place.lat,
            place.lon,
        )
        return ResolvedPlace(
            lat=place.lat,
            lon=place.lon,
            org_path=grid,
            address_id=None,
            address_text=f"近 {near['text']}" if near else None,
        )
    return await _from_text(conn, place.text or "", principal)


def _cell9(lat: float, lon: float) -> int:
    return int(h3.str_to_int(h3.latlng_to_cell(lat, lon, 9)))


CONFIDENT = 0.9  # a match this good, clearly ahead of the next one, is taken without asking
MARGIN = 0.1


async def _from_text(conn: PgConn, text: str, principal: Principal) -> ResolvedPlace:
    candidates = await match_address(conn, text, within=principal.org_path, limit=6)
    if not candidates:
        raise NotFound(
            "no address in your jurisdiction matches the text",
            field="place.text",
            code="unknown_address",
        )
    best = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    # The whole normalised text matched (the rooms of that building score a little lower).
    exact = best.score >= 0.999
    if exact or (best.score >= CONFIDENT and best.score - runner_up >= MARGIN):
        return ResolvedPlace(
            lat=best.lat,
            lon=best.lon,
            org_path=best.org_path,
            address_id=best.address_id,
            address_text=best.text,
        )
    raise AmbiguousPlace(
        [
            {"address_id": c.address_id, "text": c.text, "score": round(c.score, 3)}
            for c in candidates[:5]
        ]
    )
