"""Follow-up visits and the worklist as they cross the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from backend.api.people.schemas import CareRole, RiskGrade
from backend.early_warning.models import Level, WarningState
from backend.followups.policy import Condition
from backend.validation import SAFE_TEXT, UUID_TEXT

VisitKind = Literal["home_visit", "phone", "clinic", "outreach"]
Medication = Literal["regular", "irregular", "none"]


class FollowUpCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One visit, as the visitor records it. ``id`` is made by the client once per visit, so a
    retry of the same submission is stored once."""

    id: Annotated[str, Meta(pattern=UUID_TEXT)]
    at: Annotated[datetime, Meta(tz=True)]
    kind: VisitKind
    condition: Condition  # 病情: stable / basically stable / unstable
    risk_grade: RiskGrade  # the danger assessment (危险性评估) made at this visit
    medication: Medication  # 服药: regular / irregular / none
    notes: Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)] | None = None
    next_due_at: Annotated[datetime, Meta(tz=True)] | None = None  # sooner than the rule asks


class FollowUpView(msgspec.Struct, frozen=True, kw_only=True):
    """One visit of the shared record. ``notes`` are for those who may write visits."""

    id: str
    patient_id: str
    by_user: str
    by_name: str
    at: datetime
    kind: VisitKind
    condition: Condition
    risk_grade: int
    medication: Medication
    notes: str | None
    notes_hidden: bool
    next_due_at: datetime
    recorded_at: datetime


class FollowUpRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a recorded visit: the visit, whether it had been recorded before, when the
    patient is next due, and the warnings the visit resolved."""

    follow_up: FollowUpView
    duplicate: bool
    due_at: datetime
    resolved_warnings: list[int]


class FollowUpPage(msgspec.Struct, frozen=True, kw_only=True):
    """A patient's visits, newest first, and when the next is due."""

    items: list[FollowUpView]
    due_at: datetime


class WarningRef(msgspec.Struct, frozen=True, kw_only=True):
    """The live warning about a patient on the worklist."""

    id: int
    level: Level
    state: WarningState


class DueItem(msgspec.Struct, frozen=True, kw_only=True):
    """A patient on the worklist, masked for the caller."""

    patient_id: str
    name: str | None
    address: str | None
    org_path: str
    risk_grade: int
    last_follow_up_at: datetime | None
    due_at: datetime
    days_overdue: int  # whole days; negative: days left
    overdue: bool  # past due, however little (counted in DuePage.overdue)
    on_my_team: bool
    warning: WarningRef | None


class DuePage(msgspec.Struct, frozen=True, kw_only=True):
    """Patients whose follow-up is due soonest (or is overdue), soonest first."""

    items: list[DueItem]
    overdue: int  # in the whole scope, not only this page


class CareTeamAdd(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Put a user on a patient's care team in a role."""

    user_id: Annotated[str, Meta(pattern=UUID_TEXT)]
    role: CareRole
    is_primary: bool = False
