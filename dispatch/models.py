"""Domain Structs of the position index and candidate search.

`PositionReport` is the edge model: the backend decodes a phone's JSON straight into it, so every
field carries its constraint. Phones run old app versions, so new fields must get defaults and
unknown fields are ignored (msgspec's default), never rejected.

Time convention: every timestamp is **float epoch seconds** (UTC). A device that sends
milliseconds is rejected by `EpochS` (its value would be above 1e10), not silently misread.
"""

from __future__ import annotations

import enum
from typing import Annotated

from msgspec import Meta, Struct

Lat = Annotated[float, Meta(ge=-90.0, le=90.0, description="WGS84 latitude, degrees")]
Lon = Annotated[float, Meta(ge=-180.0, le=180.0, description="WGS84 longitude, degrees")]
ResponderId = Annotated[
    str, Meta(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="responder id, safe in Redis keys")
]
AccuracyM = Annotated[float, Meta(ge=0.0, le=5000.0, description="horizontal accuracy, metres")]
SpeedMps = Annotated[float, Meta(ge=0.0, le=100.0, description="ground speed, m/s")]
HeadingDeg = Annotated[float, Meta(ge=0.0, le=360.0, description="course over ground, degrees")]
EpochS = Annotated[
    float, Meta(ge=1e9, le=1e10, description="epoch seconds (float); milliseconds are rejected")
]
H3Cell = Annotated[str, Meta(pattern=r"^[0-9a-f]{15}$", description="H3 cell id, hex string")]


class DutyStatus(enum.StrEnum):
    """Where a responder stands in the duty cycle; only `available` is offered by default."""

    off_duty = "off_duty"
    available = "available"
    offered = "offered"
    assigned = "assigned"
    en_route = "en_route"
    on_scene = "on_scene"
    busy = "busy"


class Capability(enum.StrEnum):
    """A role a responder can fill on an incident (a responder has one or more)."""

    police = "police"
    community_doctor = "community_doctor"
    psychiatrist = "psychiatrist"
    psychiatric_nurse = "psychiatric_nurse"
    social_worker = "social_worker"
    grid_worker = "grid_worker"
    civil_affairs = "civil_affairs"
    disability_federation = "disability_federation"
    guardian = "guardian"
    ambulance = "ambulance"


class TravelMode(enum.StrEnum):
    """How a responder moves; picks the speed in `SpeedModel`."""

    on_foot = "on_foot"
    vehicle = "vehicle"


class PositionReport(Struct, frozen=True, kw_only=True):
    """One position fix sent by a responder's phone (validated at the edge).

    `ts` is the device's fix time in epoch seconds. The index orders reports by it: a report whose
    `ts` is not newer than the stored one is ignored, because delivery is often out of order.
    """

    responder_id: ResponderId
    lat: Lat
    lon: Lon
    accuracy_m: AccuracyM
    ts: EpochS
    speed_mps: SpeedMps | None = None
    heading_deg: HeadingDeg | None = None


class ResponderProfile(Struct, frozen=True, kw_only=True):
    """What the index must know about a responder besides the position.

    The index uses it only when it holds no entry for the responder (first report, after the
    freshness sweep, after Redis lost its data); afterwards `set_profile`/`set_status` rule.
    """

    responder_id: ResponderId
    capabilities: frozenset[Capability]
    mode: TravelMode = TravelMode.vehicle
    status: DutyStatus = DutyStatus.available


class ResponderState(Struct, frozen=True, kw_only=True):
    """The live entry of one responder as stored in the index.

    `ts` is the device time of the fix; `fix_ts` is `min(ts, receive time)`, the time freshness
    and `age_s` are measured from (a phone clock running ahead cannot make a fix look newer).
    """

    responder_id: str
    lat: float
    lon: float
    cell: str
    accuracy_m: float
    speed_mps: float | None
    heading_deg: float | None
    ts: float
    fix_ts: float
    age_s: float
    status: DutyStatus
    capabilities: frozenset[Capability]
    mode: TravelMode


class SpeedModel(Struct, frozen=True, kw_only=True):
    """Straight-line distance to travel time: distance x detour factor / speed, per mode."""

    on_foot_mps: float = 1.3
    on_foot_detour: float = 1.3
    vehicle_mps: float = 8.0
    vehicle_detour: float = 1.4

    def eta_s(self, distance_m: float, mode: TravelMode) -> float:
        """Estimated seconds to cover `distance_m` of great-circle distance in `mode`."""
        if mode is TravelMode.on_foot:
            return distance_m * self.on_foot_detour / self.on_foot_mps
        return distance_m * self.vehicle_detour / self.vehicle_mps


class Candidate(Struct, frozen=True, kw_only=True):
    """A responder offered for an incident, with the figures and words that explain why."""

    responder_id: str
    lat: float
    lon: float
    distance_m: float
    eta_s: float
    age_s: float
    status: DutyStatus
    capabilities: tuple[Capability, ...]
    mode: TravelMode
    reasons: tuple[str, ...]


class UpsertOutcome(enum.StrEnum):
    """What the index did with one report."""

    created = "created"  # no live entry existed: inserted from the report and the profile
    updated = "updated"  # newer than the stored fix: stored (and moved between cells if needed)
    ignored = "ignored"  # not newer than the stored fix (out of order or duplicate): unchanged


class CellCount(Struct, frozen=True, kw_only=True):
    """Live responders in one H3 cell with one status; `capability` None counts everyone."""

    cell: H3Cell
    resolution: int
    status: DutyStatus
    capability: Capability | None
    count: int
