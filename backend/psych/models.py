"""Psychological services as they cross the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from backend.early_warning.models import WarningNote
from backend.psych.periods import PERIOD_PATTERN
from backend.psych.scales import Band, Scale
from backend.validation import SAFE_TEXT, UUID_TEXT

ServiceKind = Literal["counselling", "crisis_intervention"]
Outcome = Literal[
    "continue",  # further sessions planned
    "closed",  # no further need
    "referred_psychiatry",  # to a psychiatrist or the community doctor (精神科/社区医生)
    "referred_hospital",  # taken to a receiving hospital
    "incident_raised",  # handed to the command center as an emergency
]
ActivityKind = Literal["education", "group_activity", "screening", "training"]
Period = Annotated[str, Meta(pattern=PERIOD_PATTERN)]  # a month, YYYY-MM
Uuid = Annotated[str, Meta(pattern=UUID_TEXT)]
Notes = Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)]
Title = Annotated[str, Meta(min_length=2, max_length=120, pattern=SAFE_TEXT)]
At = Annotated[datetime, Meta(tz=True)]


# -- records about one person ---------------------------------------------------------------


class AssessmentCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One filled-in scale. ``id`` is made by the client once per form, so a retry is stored
    once. ``answers``: one 0-3 per item, in the scale's order."""

    id: Uuid
    person_id: Uuid
    scale: Scale
    answers: Annotated[list[int], Meta(min_length=1, max_length=20)]
    at: At


class AssessmentView(msgspec.Struct, frozen=True, kw_only=True):
    """A scored assessment. ``answers`` only for those who may record assessments."""

    id: str
    person_id: str
    scale: Scale
    score: int
    band: Band
    self_harm: bool
    answers: list[int] | None
    at: datetime
    by_name: str
    org_path: str
    recorded_at: datetime


class AssessmentRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a recorded assessment: the crisis warning it raised (or found live)."""

    assessment: AssessmentView
    duplicate: bool
    warning: WarningNote | None


class ServiceCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A counselling session or a crisis intervention (危机干预) with one person."""

    id: Uuid
    person_id: Uuid
    kind: ServiceKind
    at: At
    minutes: Annotated[int, Meta(ge=1, le=600)]
    outcome: Outcome
    notes: Notes | None = None


class ServiceView(msgspec.Struct, frozen=True, kw_only=True):
    """One session. ``notes`` only for those who may record sessions."""

    id: str
    person_id: str
    kind: ServiceKind
    at: datetime
    minutes: int
    outcome: Outcome
    notes: str | None
    by_name: str
    org_path: str
    recorded_at: datetime


class ServiceRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a recorded session and the crisis warnings it resolved."""

    service: ServiceView
    duplicate: bool
    resolved_warnings: list[int]


class PersonPsych(msgspec.Struct, frozen=True, kw_only=True):
    """A person's psychological record, newest first (the read is audited)."""

    person_id: str
    assessments: list[AssessmentView]
    services: list[ServiceView]


class AttentionItem(msgspec.Struct, frozen=True, kw_only=True):
    """A person whose latest assessment asks for a session that has not happened since."""

    person_id: str
    name: str | None  # masked for the caller
    org_path: str
    scale: Scale
    score: int
    band: Band
    self_harm: bool
    assessed_at: datetime
    last_service_at: datetime | None
    warning: WarningNote | None


class AttentionPage(msgspec.Struct, frozen=True, kw_only=True):
    """Self-harm first, then the highest totals, then the longest waiting."""

    items: list[AttentionItem]
    total: int  # in the whole jurisdiction, not only this page


# -- the unit's work ------------------------------------------------------------------------


class ActivityCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An activity of the caller's centre (宣传教育、活动开展): a talk, a group, a screening day."""

    id: Uuid
    kind: ActivityKind
    title: Title
    at: At
    attendees: Annotated[int, Meta(ge=0, le=100_000)]


class ActivityView(msgspec.Struct, frozen=True, kw_only=True):
    """One activity."""

    id: str
    org_path: str
    kind: ActivityKind
    title: str
    at: datetime
    attendees: int
    by_name: str


class ActivityRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The stored activity; ``duplicate`` when this id was sent before."""

    activity: ActivityView
    duplicate: bool


class ActivityPage(msgspec.Struct, frozen=True, kw_only=True):
    """Activities in the jurisdiction, newest first."""

    items: list[ActivityView]


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    """What a unit did and found in a period. Counts of people by band and of self-harm findings
    follow the small-count rule (1-4 published as None, "<5"), the others are activity counts."""

    assessments: int
    people_assessed: int
    moderate: int | None  # people whose latest result in the period is moderate
    moderately_severe: int | None
    severe: int | None
    self_harm: int | None
    counselling: int
    crisis_interventions: int
    referrals: int  # sessions ending in a referral (psychiatry or hospital) or an incident
    activities: int
    attendees: int
    open_crises: int  # live psychological-crisis warnings now (not only the period's)


class UnitFigures(msgspec.Struct, frozen=True, kw_only=True):
    """One unit's figures."""

    org_path: str
    name_zh: str
    name_en: str
    figures: Figures


class UnitFiguresPage(msgspec.Struct, frozen=True, kw_only=True):
    """Every unit of one level in the caller's jurisdiction, and the jurisdiction's total."""

    level: str
    since: datetime
    until: datetime
    units: list[UnitFigures]
    total: Figures


# -- three levels: instructions down, reports up ---------------------------------------------


class InstructionCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A work instruction (工作指示) from a street or district centre to the units below.
    ``targets`` are org paths of the caller's direct sub-units; none: all of them."""

    id: Uuid
    title: Title
    body: Annotated[str, Meta(min_length=2, max_length=4000, pattern=SAFE_TEXT)]
    due_at: At
    targets: Annotated[list[str], Meta(max_length=200)] | None = None


class TargetState(msgspec.Struct, frozen=True, kw_only=True):
    """One unit's answer to an instruction (反馈)."""

    org_path: str
    name_zh: str
    name_en: str
    state: Literal["open", "done"]
    feedback: str | None
    answered_by_name: str | None
    answered_at: datetime | None


class InstructionView(msgspec.Struct, frozen=True, kw_only=True):
    """An instruction with every target's answer."""

    id: str
    from_path: str
    from_name_zh: str
    from_name_en: str
    by_name: str
    title: str
    body: str
    due_at: datetime
    created_at: datetime
    targets: list[TargetState]
    done: int
    overdue: bool  # past due with a target still open


class InstructionPage(msgspec.Struct, frozen=True, kw_only=True):
    """``received``: addressed to the caller's unit; ``issued``: from it. Newest first."""

    received: list[InstructionView]
    issued: list[InstructionView]


class InstructionCreated(msgspec.Struct, frozen=True, kw_only=True):
    """The instruction as stored; ``duplicate`` when this id was sent before."""

    instruction: InstructionView
    duplicate: bool


class Feedback(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The caller's unit answers an instruction: what was done, and whether it is finished."""

    feedback: Annotated[str, Meta(min_length=2, max_length=2000, pattern=SAFE_TEXT)]
    done: bool = True


class ReportCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The caller's unit reports a month up (上报): its figures are frozen as they stand."""

    id: Uuid
    period: Period
    comment: Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)] | None = None


class ReportView(msgspec.Struct, frozen=True, kw_only=True):
    """A submitted monthly report."""

    id: str
    org_path: str
    name_zh: str
    name_en: str
    period: str
    figures: Figures
    comment: str | None
    submitted_by_name: str
    submitted_at: datetime


class ChildReport(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a sub-unit has reported the month."""

    org_path: str
    name_zh: str
    name_en: str
    report: ReportView | None


class ReportStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One month for the caller's unit: its live figures, its own report (if sent), and the
    reports of the units below it."""

    period: str
    org_path: str
    level: str
    live: Figures
    own: ReportView | None
    can_report: bool  # a community or street centre reports up; the district receives
    children: list[ChildReport]


class ReportSubmitted(msgspec.Struct, frozen=True, kw_only=True):
    """The stored report; ``duplicate`` when this id was sent before."""

    report: ReportView
    duplicate: bool
