"""Disputes, their actions and the weekly screenings as they cross the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from backend.disputes.policy import WEEK_PATTERN, Kind, Referral, Resolution, Risk, Source, Status
from backend.early_warning.models import WarningNote
from backend.validation import SAFE_TEXT, UUID_TEXT

Uuid = Annotated[str, Meta(pattern=UUID_TEXT)]
Notes = Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)]
At = Annotated[datetime, Meta(tz=True)]
OrgPath = Annotated[str, Meta(pattern=r"^[0-9]{1,12}(\.[0-9]{1,6}){0,6}$")]
Week = Annotated[str, Meta(pattern=WEEK_PATTERN)]


class DisputeCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A dispute found or brought in (登记). ``title`` is what lists show to everyone who may
    read disputes: say what it is about, not who (names go in ``details``, sealed). The place:
    an address in your jurisdiction, or else a unit of it (your own unit when neither)."""

    id: Uuid
    kind: Kind
    title: Annotated[str, Meta(min_length=2, max_length=100, pattern=SAFE_TEXT)]
    details: Notes | None = None
    parties: Annotated[int, Meta(ge=2, le=100000)] = 2
    risk: Risk
    source: Source
    address_id: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    org_path: OrgPath | None = None
    at: At


class MediationCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A mediation session (调解): the parties met; what came of it goes in the notes."""

    id: Uuid
    at: At
    notes: Notes | None = None


class EscalateCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Pass the dispute up to the centre above (上报), with the reason."""

    id: Uuid
    at: At
    reason: Annotated[str, Meta(min_length=2, max_length=500, pattern=SAFE_TEXT)]


class AssignCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Hand the dispute down to a unit on the way to its place (交办), with a deadline."""

    id: Uuid
    at: At
    to_path: OrgPath
    due_days: Annotated[int, Meta(ge=1, le=60)]
    notes: Notes | None = None


class RiskCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The dispute's risk judged again (研判)."""

    id: Uuid
    at: At
    risk: Risk
    notes: Notes | None = None


class CloseCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settled here (``resolved``: agreement or withdrawn) or passed to another channel
    (``referred``: court, arbitration, petition, other)."""

    id: Uuid
    at: At
    outcome: Resolution | Referral
    notes: Notes | None = None


class ActionView(msgspec.Struct, frozen=True, kw_only=True):
    """One step of a dispute's history; ``notes`` for those who work disputes."""

    id: str
    kind: str
    at: datetime
    from_path: str | None
    to_path: str | None
    risk: Risk | None
    outcome: str | None
    due_at: datetime | None
    notes: str | None
    by_name: str
    recorded_at: datetime


class DisputeView(msgspec.Struct, frozen=True, kw_only=True):
    """A dispute as lists show it. ``yours``: your jurisdiction holds it (you may act on it)."""

    id: str
    kind: Kind
    title: str
    parties: int
    risk: Risk
    source: Source
    address: str | None
    org_path: str
    org_name: str | None
    holder_path: str
    holder_name: str | None
    status: Status
    outcome: str | None
    reported_at: datetime
    due_at: datetime
    overdue: bool
    yours: bool
    created_by_name: str
    closed_at: datetime | None
    warnings: list[WarningNote]


class UnitName(msgspec.Struct, frozen=True, kw_only=True):
    """An org unit's names, for a path an answer gives bare."""

    org_path: str
    name_zh: str
    name_en: str


class PartyCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Link a party to the people records (found by ``POST /api/persons/lookup``)."""

    person_id: Uuid


class PartyView(msgspec.Struct, frozen=True, kw_only=True):
    """A linked party, the name masked by role; ``key_reasons``: patient (risk grade 3+),
    community_correction, drug_rehab, as they stood when linked."""

    person_id: str
    name: str | None
    key_reasons: list[str]
    by_name: str
    at: datetime


class PartyRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a link: ``duplicate`` when the person was linked already; ``raised_risk``
    when a key person made the dispute high-risk."""

    party: PartyView
    dispute: DisputeView
    duplicate: bool
    raised_risk: bool


class DisputeDetail(msgspec.Struct, frozen=True, kw_only=True):
    """A dispute with its details (for those who work disputes) and its history, oldest first."""

    dispute: DisputeView
    details: str | None
    actions: list[ActionView]
    escalate_to: str | None  # the centre above the holder; None at the top
    assign_to: list[str]  # the units the holder may hand it down to, nearest first
    # every unit the answer names by path (the centre above included, which the caller's
    # jurisdiction does not cover): a name is no secret, and the page needs it in both languages
    units: list[UnitName]
    parties_linked: list[PartyView]


class DisputeRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a registration or an action: ``duplicate`` when this id was sent before."""

    dispute: DisputeView
    action: ActionView
    duplicate: bool
    resolved_warnings: list[int]


class DisputePage(msgspec.Struct, frozen=True, kw_only=True):
    """Disputes of the jurisdiction, with its live totals."""

    items: list[DisputeView]
    live: int
    high: int
    overdue: int


class ScreeningCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Your unit's screening of a week (排查): how many disputes it found, none included."""

    week: Week
    found: Annotated[int, Meta(ge=0, le=10000)]
    notes: Annotated[str, Meta(max_length=500, pattern=SAFE_TEXT)] | None = None


class ScreeningView(msgspec.Struct, frozen=True, kw_only=True):
    """One unit's report of one week; ``reported`` false when it has none yet."""

    org_path: str
    name_zh: str
    name_en: str
    week: str
    reported: bool
    found: int | None
    notes: str | None
    by_name: str | None
    at: datetime | None


class ScreeningPage(msgspec.Struct, frozen=True, kw_only=True):
    """Every unit of a level in the jurisdiction for one week, those yet to report first."""

    week: str
    level: str
    units: list[ScreeningView]
    reported: int


class UnitDisputes(msgspec.Struct, frozen=True, kw_only=True):
    """One unit's disputes: those that happened there and are live (and of them high-risk and
    overdue), those its centre holds, and those closed in the last 30 days by how."""

    org_path: str
    name_zh: str
    name_en: str
    live: int
    high: int
    overdue: int
    held: int
    resolved_30d: int
    referred_30d: int


class DisputeSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Every unit of a level in the caller's jurisdiction."""

    level: str
    units: list[UnitDisputes]
