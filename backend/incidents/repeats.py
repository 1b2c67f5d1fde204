"""Repeat calls from one place: the incidents of the last weeks at the same address.

A second call from a household within weeks is one of the plainest signs that a crisis is building
(the seed platform's "data models that find problems first" name it). Intake looks for earlier
incidents at the place before it chooses the playbook: when there are any, the incident gets the
``repeat_call`` flag (playbook triggers may use it) and ``incident.created`` names them; every
view of the incident lists them, so the operator sees "the third call from here this month".

"The same place" is the same unified address when both incidents have one (the flat next door is
another household); otherwise any incident within ``REPEAT_RADIUS_M``. Only the place counts,
never the patient: a patient's history elsewhere belongs to their record, which has its own
access rules and audit.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import msgspec

from backend.storage.postgres.pool import PgConn
from dispatch.geo import distance_m

REPEAT_WINDOW = timedelta(days=30)
"""How far back an earlier incident at the place counts."""
REPEAT_RADIUS_M = 100.0
"""For an incident without an address: how near an earlier one must have been."""
SHOWN = 5
"""Earlier incidents listed with an incident (the count covers them all)."""
_LAT_M = 111_320.0  # metres per degree of latitude (a prefilter only; the cut is exact)


class EarlierIncident(msgspec.Struct, frozen=True, kw_only=True):
    """An earlier incident at the same place, as a line in the operator's panel."""

    id: str
    kind: str
    state: str
    outcome: str | None
    created_at: datetime


class PlaceHistory(msgspec.Struct, frozen=True, kw_only=True):
    """The earlier incidents at an incident's place within the window: how many, newest first."""

    count: int = 0
    latest: list[EarlierIncident] = msgspec.field(default_factory=list)


async def place_history(
    conn: PgConn,
    *,
    address_id: str | None,
    lat: float,
    lon: float,
    before: datetime,
    exclude: str | None = None,
) -> PlaceHistory:
    """Incidents at the same place created in the window ending at ``before`` (``exclude``: the
    incident itself)."""
    since = before - REPEAT_WINDOW
    dlat = REPEAT_RADIUS_M / _LAT_M
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    # an address is a point: its incidents are all in this box, with the nearby ones
    near = await conn.fetch(
        "SELECT id, kind, state, outcome, created_at, lat, lon, address_id FROM incidents "
        "WHERE lat BETWEEN $1 AND $2 AND lon BETWEEN $3 AND $4 "
        "AND created_at >= $5 AND created_at < $6 AND id IS DISTINCT FROM $7 "
        "ORDER BY created_at DESC, id DESC",
        lat - dlat,
        lat + dlat,
        lon - dlon,
        lon + dlon,
        since,
        before,
        exclude,
    )
    rows = [r for r in near if _same_place(address_id, lat, lon, r)]
    latest = [
        EarlierIncident(
            id=r["id"],
            kind=r["kind"],
            state=r["state"],
            outcome=r["outcome"],
            created_at=r["created_at"],
        )
        for r in rows[:SHOWN]
    ]
    return PlaceHistory(count=len(rows), latest=latest)


def _same_place(address_id: str | None, lat: float, lon: float, row: Any) -> bool:
    """Two addressed incidents: the same address (the flat next door is another household).
    Otherwise: within REPEAT_RADIUS_M of each other."""
    if address_id is not None and row["address_id"] is not None:
        return bool(row["address_id"] == address_id)
    return distance_m(lat, lon, row["lat"], row["lon"]) <= REPEAT_RADIUS_M
