"""Responders and positions as they cross the API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from backend.positions.service import ItemResult
from backend.validation import UUID_TEXT


class ResponderCreate(msgspec.Struct, frozen=True, kw_only=True):
    """Make a user account with the responder role dispatchable."""

    user_id: Annotated[str, Meta(pattern=UUID_TEXT)]
    mode: Literal["on_foot", "vehicle"] = "vehicle"
    team: Annotated[str, Meta(max_length=100, pattern=r"^[^\x00-\x1f]*$")] | None = None


class Responder(msgspec.Struct, frozen=True, kw_only=True):
    """A responder, with live position when there is a fresh one."""

    id: str
    display_name: str
    org_path: str
    capabilities: list[str]
    mode: str
    team: str | None
    duty_status: str
    lat: float | None = None
    lon: float | None = None
    age_s: float | None = None
    position_known: bool = False


class DutyChange(msgspec.Struct, frozen=True, kw_only=True):
    """Go on or off duty."""

    status: Literal["available", "off_duty"]


class PositionBatch(msgspec.Struct, frozen=True, kw_only=True):
    """A batch of reports from a gateway or simulator; each item is validated on its own."""

    items: Annotated[list[Any], Meta(min_length=1)]


class PositionBatchResult(msgspec.Struct, frozen=True, kw_only=True):
    """Per-item results, in the order of the batch."""

    applied: int
    ignored: int
    rejected: int
    results: list[ItemResult]


class NearestCandidate(msgspec.Struct, frozen=True, kw_only=True):
    """One of the k nearest qualified responders, with why it qualified."""

    responder_id: str
    display_name: str
    lat: float
    lon: float
    distance_m: float
    eta_s: float
    age_s: float
    status: str
    capabilities: list[str]
    mode: str
    reasons: list[str]


class CellCountOut(msgspec.Struct, frozen=True, kw_only=True):
    """Live responders in one H3 cell by status (and capability, or all when null)."""

    cell: str
    resolution: int
    status: str
    capability: str | None
    count: int
