"""Incidents, assignments and their views: what crosses the API and the realtime streams."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from backend.early_warning.models import WarningNote
from backend.incidents.repeats import PlaceHistory
from backend.validation import SAFE_TEXT, UUID_TEXT

IncidentState = Literal[
    "new", "dispatching", "responding", "on_scene", "resolved", "closed", "cancelled"
]
LIVE_STATES = ("new", "dispatching", "responding", "on_scene", "resolved")
AssignmentState = Literal[
    "offered",
    "accepted",
    "declined",
    "expired",
    "withdrawn",
    "en_route",
    "on_scene",
    "cleared",
    "released",
]
WORKING_ASSIGNMENT = ("accepted", "en_route", "on_scene")
"""Assignment states of a responder committed to the incident (not merely offered)."""
ACTIVE_ASSIGNMENT = ("offered", *WORKING_ASSIGNMENT)
IncidentKind = Literal[
    "crisis_at_home",
    "danger_to_others",
    "self_harm",
    "emergency_transfer",
    "missing_patient",
    "medication_reaction",
]
Flag = Literal[
    "weapon", "minor", "public_place", "guardian_present", "overdose_suspected", "repeat_call"
]
Text = Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)]


class Place(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where: a unified address id, or coordinates, or free text matched to the registry."""

    address_id: (
        Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] | None
    ) = None
    lat: Annotated[float, Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, Meta(ge=-180, le=180)] | None = None
    text: Annotated[str, Meta(min_length=2, max_length=300, pattern=SAFE_TEXT)] | None = None


class Reporter(msgspec.Struct, frozen=True, kw_only=True):
    """Who called; the phone is kept encrypted and masked like any personal field."""

    name: Annotated[str, Meta(max_length=100, pattern=SAFE_TEXT)] | None = None
    phone: Annotated[str, Meta(pattern=r"^\+?[0-9 -]{7,20}$")] | None = None
    relation: Annotated[str, Meta(max_length=50, pattern=SAFE_TEXT)] | None = None


class IncidentCreate(msgspec.Struct, frozen=True, kw_only=True):
    """A new incident from the console, a responder in the field, or an integration."""

    kind: IncidentKind
    place: Place
    priority: Annotated[int, Meta(ge=1, le=5)] | None = None
    patient_id: Annotated[str, Meta(pattern=UUID_TEXT)] | None = None
    reporter: Reporter | None = None
    description: Text | None = None
    violent: bool = False
    flags: Annotated[list[Flag], Meta(max_length=6)] = msgspec.field(default_factory=list)


class StepInfo(msgspec.Struct, frozen=True, kw_only=True):
    """The running step of the playbook and its deadline."""

    id: str
    title_zh: str | None
    title_en: str | None
    deadline_at: float | None
    waivable: bool = False
    """The operator may waive it (it is running and is not the close step)."""


class IncidentSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What a wall shows of one incident (no personal data)."""

    id: str
    kind: str
    priority: int
    state: IncidentState
    lat: float
    lon: float
    address: str | None
    org_path: str
    opened_at: float
    updated_at: float
    playbook_id: str
    playbook_version: int
    step: StepInfo | None
    escalations: int
    responders: dict[str, int]
    """Assignments by state (offered, accepted, en_route, on_scene ...)."""
    has_patient: bool
    version: int
    repeat_call: bool = False
    """Someone called from the same place in the last 30 days too (``repeats.py``)."""


class AssignmentView(msgspec.Struct, frozen=True, kw_only=True):
    """One responder on one incident."""

    id: str
    incident_id: str
    responder_id: str
    display_name: str
    role: str
    step_id: str
    state: AssignmentState
    manual: bool
    distance_m: float | None
    eta_s: float | None
    reasons: list[str]
    reason: str | None
    offered_at: datetime
    expires_at: datetime | None
    accepted_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    ended_at: datetime | None


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One fact of the append-only log."""

    id: int
    at: datetime
    kind: str
    actor_name: str | None
    data: dict[str, Any]


class IncidentDetail(msgspec.Struct, frozen=True, kw_only=True):
    """An incident with its assignments, checklists and what the caller may know of the patient."""

    summary: IncidentSummary
    description: str | None
    source: str
    violent: bool
    flags: list[str]
    patient_id: str | None
    assignments: list[AssignmentView]
    checklists: dict[str, Any]
    outcome: str | None
    closed_at: datetime | None
    running_steps: list[StepInfo] = msgspec.field(default_factory=list)
    """Every step the run waits on (a fork waits on several); ``summary.step`` is the first."""
    address_id: str | None = None
    """The unified address it was placed at; None for coordinates or text nothing matched."""
    earlier: PlaceHistory = msgspec.field(default_factory=PlaceHistory)
    """Earlier incidents at the same place in the last 30 days (``repeats.py``)."""
    warnings: list[WarningNote] = msgspec.field(default_factory=list)
    """Live early warnings about its patient (an overdue follow-up) or its address (repeated
    calls): the operator sees that the crisis was foreseen, and by whom it is being handled."""


class CreateResult(msgspec.Struct, frozen=True, kw_only=True):
    """The created incident, or the candidates when free text matched more than one address."""

    incident: IncidentDetail | None = None
    candidates: list[dict[str, Any]] | None = None
    patient_suggestion: str | None = None


class AssignmentAction(msgspec.Struct, frozen=True, kw_only=True):
    """A responder's answer or status: accept, decline, en_route, on_scene, clear, need_backup."""

    reason: Annotated[str, Meta(max_length=500, pattern=SAFE_TEXT)] | None = None
    client_msg_id: Annotated[str, Meta(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] | None = None


class StatusChange(AssignmentAction, frozen=True, kw_only=True):
    """A status change of an accepted assignment."""

    status: Literal["en_route", "on_scene", "clear", "need_backup"]


class ChecklistTick(msgspec.Struct, frozen=True, kw_only=True):
    """A responder ticked an item of its role's checklist (``<step>.<item>``)."""

    item: Annotated[str, Meta(min_length=3, max_length=130, pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")]
    client_msg_id: Annotated[str, Meta(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] | None = None


class Note(msgspec.Struct, frozen=True, kw_only=True):
    """An operator's note on the timeline."""

    text: Annotated[str, Meta(min_length=1, max_length=2000, pattern=SAFE_TEXT)]


class FieldNote(msgspec.Struct, frozen=True, kw_only=True):
    """A responder's short note from the field (queued offline; ``client_msg_id`` de-duplicates)."""

    text: Annotated[str, Meta(min_length=1, max_length=500, pattern=SAFE_TEXT)]
    client_msg_id: Annotated[str, Meta(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] | None = None


class PriorityChange(msgspec.Struct, frozen=True, kw_only=True):
    """Change the priority (1 is the most urgent), with why."""

    priority: Annotated[int, Meta(ge=1, le=5)]
    reason: Annotated[str, Meta(min_length=3, max_length=500, pattern=SAFE_TEXT)]


class Cancel(msgspec.Struct, frozen=True, kw_only=True):
    """Cancel (e.g. a false alarm), with why."""

    reason: Annotated[str, Meta(min_length=3, max_length=500, pattern=SAFE_TEXT)]


class ManualAssign(msgspec.Struct, frozen=True, kw_only=True):
    """Offer the incident to a chosen responder, with why (may override 'busy elsewhere')."""

    responder_id: Annotated[str, Meta(pattern=UUID_TEXT)]
    role: Annotated[str, Meta(pattern=r"^[a-z_]{3,32}$")]
    reason: Annotated[str, Meta(min_length=3, max_length=500, pattern=SAFE_TEXT)]


class Release(msgspec.Struct, frozen=True, kw_only=True):
    """Release a responder from the incident, with why."""

    reason: Annotated[str, Meta(min_length=3, max_length=500, pattern=SAFE_TEXT)]


class WaiveStep(msgspec.Struct, frozen=True, kw_only=True):
    """Waive a running step that cannot complete, with why (it goes into the archive)."""

    reason: Annotated[str, Meta(min_length=3, max_length=500, pattern=SAFE_TEXT)]


class Handover(msgspec.Struct, frozen=True, kw_only=True):
    """The subject was handed over to a hospital of the key-place register."""

    hospital_id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class SubjectLink(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The registered patient the incident concerns, identified after intake; replacing one
    already linked needs the reason."""

    patient_id: Annotated[str, Meta(pattern=UUID_TEXT)]
    reason: Annotated[str, Meta(min_length=3, max_length=500, pattern=SAFE_TEXT)] | None = None


class PlaybookSwitch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Run another playbook of the library instead of the current one, with why."""

    playbook_id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
    reason: Annotated[str, Meta(min_length=3, max_length=500, pattern=SAFE_TEXT)]


class CloseRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Ask to close: with the outcome, and the record sheet id once filed."""

    outcome: (
        Literal[
            "stabilised_at_home",
            "hospitalised",
            "handed_to_police",
            "found_safe",
            "false_alarm",
            "deceased",
            "other",
        ]
        | None
    ) = None
    record_sheet_id: (
        Annotated[str, Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")] | None
    ) = None
    handover_hospital: (
        Annotated[str, Meta(min_length=1, max_length=200, pattern=SAFE_TEXT)] | None
    ) = None
