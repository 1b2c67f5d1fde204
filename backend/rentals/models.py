"""Rental houses, their inspections and hazards as they cross the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from backend.early_warning.models import WarningNote
from backend.rentals.checklist import Department, Grade, Ticked
from backend.validation import SAFE_TEXT, UUID_TEXT

Uuid = Annotated[str, Meta(pattern=UUID_TEXT)]
Notes = Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)]
Count = Annotated[int, Meta(ge=0, le=500)]


class AssessmentCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One inspection of a rental house (评定检查): who lives there and what was found. The
    server derives overcrowding and unregistered tenants from the counts, and grades."""

    id: Uuid
    at: Annotated[datetime, Meta(tz=True)]
    tenants: Count
    registered: Count  # of the tenants, how many are registered (租客登记)
    found: Annotated[list[Ticked], Meta(max_length=20)] = []
    notes: Notes | None = None


class AssessmentView(msgspec.Struct, frozen=True, kw_only=True):
    """An inspection and its verdict; ``notes`` for those who may inspect."""

    id: str
    house_id: str
    at: datetime
    tenants: int
    registered: int
    found: list[str]
    factors: list[str]
    score: int
    grade: Grade
    notes: str | None
    by_name: str
    recorded_at: datetime


class HazardView(msgspec.Struct, frozen=True, kw_only=True):
    """A rectification (整改): an item found at a house, due by a deadline, cleared by a later
    inspection that no longer finds it."""

    id: str
    house_id: str
    address: str
    item: str
    department: Department
    decisive: bool
    found_at: datetime
    due_at: datetime
    overdue: bool
    cleared_at: datetime | None
    org_path: str
    # signed off by its department (整改销号) rather than cleared by an inspection: who did
    signed_off_name: str | None = None


class SignOffCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A department's sign-off of a rectification it verified on site (整改销号). ``id`` is made
    by the client once per form, so a resend is stored once."""

    id: Uuid
    at: Annotated[datetime, Meta(tz=True)]
    notes: Notes | None = None


class SignOffRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The rectification as it stands after the sign-off; ``duplicate`` for a resend."""

    hazard: HazardView
    duplicate: bool
    resolved_warnings: list[int]


class RentalView(msgspec.Struct, frozen=True, kw_only=True):
    """A rental house as the list shows it. ``grade`` is the latest inspection's, or the block
    data's when never inspected (``assessed`` false, no due date)."""

    house_id: str
    address: str
    building_id: str
    floor: int | None
    area_m2: float | None
    use: str
    org_path: str
    grade: Grade | None
    assessed: bool
    last_assessed_at: datetime | None
    due_at: datetime | None
    overdue: bool
    open_hazards: int
    overdue_hazards: int
    warning: WarningNote | None  # the live overdue-inspection warning


class RentalDetail(msgspec.Struct, frozen=True, kw_only=True):
    """A house with what the block data says of it, its rectifications (open first) and its
    inspections (newest first). Residents are counted, never named."""

    house: RentalView
    residents: int  # people the block data registers at the address
    key_persons: int  # ... of whom key persons (see the checklist's factor)
    hazards: list[HazardView]
    assessments: list[AssessmentView]


class AssessmentRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to an inspection: ``duplicate`` when this id was sent before; ``latest``
    false when a later inspection is on file (a paper form typed in late joins the history and
    changes nothing)."""

    assessment: AssessmentView
    house: RentalView
    duplicate: bool
    latest: bool
    opened_hazards: list[str]  # items
    cleared_hazards: list[str]
    resolved_warnings: list[int]


class RentalPage(msgspec.Struct, frozen=True, kw_only=True):
    """Rental houses of the jurisdiction, with its totals."""

    items: list[RentalView]
    rentals: int  # every rental house of the jurisdiction
    assessed: int
    overdue: int
    red: int
    open_hazards: int


class HazardPage(msgspec.Struct, frozen=True, kw_only=True):
    """Open rectifications, overdue first, then soonest due."""

    items: list[HazardView]
    total: int
    overdue: int


class ChecklistItem(msgspec.Struct, frozen=True, kw_only=True):
    """One item of the checklist: ``kind`` ticked (the inspector's), derived (from the counts) or
    factor (from the block data)."""

    code: str
    kind: Literal["ticked", "derived", "factor"]
    department: Department
    weight: int
    decisive: bool
    fix_days: int | None


class Checklist(msgspec.Struct, frozen=True, kw_only=True):
    """The checklist and the grading rule, so a form can show the grade as it is filled in."""

    items: list[ChecklistItem]
    red_score: int
    yellow_score: int
    inspect_days: dict[str, int]
    min_area_per_tenant_m2: float


class UnitRentals(msgspec.Struct, frozen=True, kw_only=True):
    """One unit's rental houses: per grade (the block data's when never inspected), inspected,
    overdue for inspection, and open and overdue rectifications."""

    org_path: str
    name_zh: str
    name_en: str
    rentals: int
    green: int
    yellow: int
    red: int
    ungraded: int
    assessed: int
    overdue: int
    open_hazards: int
    overdue_hazards: int


class RentalSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Every unit of a level in the caller's jurisdiction, and the jurisdiction's total."""

    level: str
    units: list[UnitRentals]
    total: UnitRentals
