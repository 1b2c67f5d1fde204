"""What goes into the engine (events) and what comes out (effects): tagged unions of Structs.

Both travel as msgspec JSON with a ``type`` tag, e.g. ``{"type": "offer_accepted", ...}``.
Build one decoder per union with :func:`event_decoder` / :func:`effect_decoder` and route
the results with ``match``.

The engine never performs an effect: the backend does (page responders, write timers, append
to the event log) and feeds the outcome back as new events.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from playbooks.schema import (
    ChecklistItem,
    IncidentContext,
    ItemRef,
    LeaderLevel,
    Outcome,
    Priority,
    RiskGrade,
    Role,
    StepId,
)

ResponderId = Annotated[str, Meta(min_length=1, max_length=128)]
TimerId = Annotated[str, Meta(min_length=1, max_length=300)]
Scalar = str | int | float | bool | None


class _Message(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", omit_defaults=True):
    """Base of events and effects."""


# ----------------------------------------------------------------------------- events


class IncidentOpened(_Message, tag="incident_opened", frozen=True, kw_only=True):
    """The incident exists; the run starts at the playbook's first step."""

    context: IncidentContext


class OfferAccepted(_Message, tag="offer_accepted", frozen=True, kw_only=True):
    """A responder accepted the offer made for ``step_id`` (from an :class:`AlertRole`)."""

    step_id: StepId
    role: Role
    responder_id: ResponderId


class OfferDeclined(_Message, tag="offer_declined", frozen=True, kw_only=True):
    """A responder declined; declining after accepting withdraws the acceptance."""

    step_id: StepId
    role: Role
    responder_id: ResponderId


class OfferExpired(_Message, tag="offer_expired", frozen=True, kw_only=True):
    """An offer went unanswered until dispatch's own offer timeout."""

    step_id: StepId
    role: Role
    responder_id: ResponderId


class ResponderArrived(_Message, tag="responder_arrived", frozen=True, kw_only=True):
    """A responder is on scene."""

    role: Role
    responder_id: ResponderId


class ChecklistTicked(_Message, tag="checklist_ticked", frozen=True, kw_only=True):
    """A checklist item (``<step>.<item>``) was ticked; the backend checks who may tick it."""

    item: ItemRef
    responder_id: ResponderId


class TimerFired(_Message, tag="timer_fired", frozen=True, kw_only=True):
    """A durable timer started by a :class:`StartTimer` effect came due."""

    timer_id: TimerId


class RecordSheetSubmitted(_Message, tag="record_sheet_submitted", frozen=True, kw_only=True):
    """The 应急处置记录单 (emergency handling record sheet) was filed."""

    sheet_id: Annotated[str, Meta(min_length=1, max_length=128)]
    responder_id: ResponderId


class OutcomeSet(_Message, tag="outcome_set", frozen=True, kw_only=True):
    """The operator recorded how the incident ended (the last one set counts)."""

    outcome: Outcome


class HandoverConfirmed(_Message, tag="handover_confirmed", frozen=True, kw_only=True):
    """The receiving hospital took the patient over: ``hospital`` is its name as the archive shows
    it; ``hospital_id`` its id in the key-place register, when it is there (then the beds in use
    are counted by id, so two hospitals of the same name are not confused)."""

    hospital: Annotated[str, Meta(min_length=1, max_length=200)]
    responder_id: ResponderId
    hospital_id: Annotated[str, Meta(min_length=1, max_length=64)] | None = None


class SubjectIdentified(_Message, tag="subject_identified", frozen=True, kw_only=True):
    """The incident's subject was identified after it opened (or corrected): a registered patient.

    The context's patient facts become these, so branches taken from now on see them. The
    playbook already running stays: switching mid-run would drop offers and deadlines under way.
    """

    risk_grade: RiskGrade | None = None
    has_care_team: bool = False


class CloseRequested(_Message, tag="close_requested", frozen=True, kw_only=True):
    """Someone asked to close the incident; the engine closes it or says what is missing."""

    by: Annotated[str, Meta(min_length=1, max_length=128)]


class Cancelled(_Message, tag="cancelled", frozen=True, kw_only=True):
    """The incident was cancelled (e.g. a false alarm); the run stops at once."""

    by: Annotated[str, Meta(min_length=1, max_length=128)]
    reason: Annotated[str, Meta(max_length=500)] = ""


class StepWaived(_Message, tag="step_waived", frozen=True, kw_only=True):
    """The duty officer waived a running step, with why; the run moves on as if it were done.

    For a step that can never complete (nobody of a role reachable, offers expired, escalations
    spent) while the field has finished. The close step cannot be waived: closing is its own
    command, with its own requirements.
    """

    step_id: StepId
    reason: Annotated[str, Meta(min_length=1, max_length=500)]
    by: Annotated[str, Meta(min_length=1, max_length=128)]


Event = (
    IncidentOpened
    | OfferAccepted
    | OfferDeclined
    | OfferExpired
    | ResponderArrived
    | ChecklistTicked
    | TimerFired
    | RecordSheetSubmitted
    | OutcomeSet
    | HandoverConfirmed
    | SubjectIdentified
    | CloseRequested
    | Cancelled
    | StepWaived
)

# ----------------------------------------------------------------------------- effects


class AlertRole(_Message, tag="alert_role", frozen=True, kw_only=True):
    """Find and alert responders of ``role`` for ``step_id`` until ``count`` more accept.

    Offer to ``k`` candidates within ``radius_m``: the patient's care team first when
    ``care_team_first``, then the nearest qualified. Skip ``exclude`` (already refused or
    accepted) and anyone holding an open offer on this incident. Echo ``step_id`` and ``role``
    in the resulting offer events.
    """

    step_id: StepId
    role: Role
    count: int
    k: int
    radius_m: int
    care_team_first: bool
    no_lone_responder: bool = False
    deadline_at: float | None = None
    exclude: tuple[ResponderId, ...] = ()
    reason: Literal["initial", "replacement", "retry"] = "initial"


class WithdrawOffers(_Message, tag="withdraw_offers", frozen=True, kw_only=True):
    """The quorum for ``role`` in ``step_id`` is met (or the run ended): withdraw open offers."""

    step_id: StepId
    role: Role


class AdoptResponder(_Message, tag="adopt_responder", frozen=True, kw_only=True):
    """A responder carried over from a replaced run now fills ``role`` in ``step_id``: their
    assignment answers to this step from now on (its later events name it)."""

    step_id: StepId
    role: Role
    responder_id: ResponderId


class StartTimer(_Message, tag="start_timer", frozen=True, kw_only=True):
    """Store a durable timer; feed back ``TimerFired(timer_id)`` once, at or after ``due_at``.

    Timer ids are ``<run id>:<step id>:<attempt>``: unique per run, stable across replays.
    """

    timer_id: TimerId
    due_at: float
    purpose: Literal["step_deadline", "record_sheet"]
    step_id: StepId


class CancelTimer(_Message, tag="cancel_timer", frozen=True, kw_only=True):
    """Delete a timer that has not fired (firing it anyway is harmless: it is ignored)."""

    timer_id: TimerId


class AppendEvent(_Message, tag="append_event", frozen=True, kw_only=True):
    """Append a fact to the incident's event log (and so to the wall and the archive)."""

    kind: str
    payload: dict[str, Scalar] = {}


class RaisePriority(_Message, tag="raise_priority", frozen=True, kw_only=True):
    """Set the incident's priority to ``priority`` (1 is the most urgent)."""

    priority: Priority
    step_id: StepId


class NotifyLeader(_Message, tag="notify_leader", frozen=True, kw_only=True):
    """Tell the on-duty leader of the incident's street or district that a deadline was missed."""

    level: LeaderLevel
    step_id: StepId
    reason: str


class NotifySupervisor(_Message, tag="notify_supervisor", frozen=True, kw_only=True):
    """Tell the supervisor of ``role`` that the role is short of its quorum."""

    role: Role
    step_id: StepId
    reason: str


class WidenSearch(_Message, tag="widen_search", frozen=True, kw_only=True):
    """The search for ``role`` in ``step_id`` now uses these parameters (next alert uses them)."""

    step_id: StepId
    role: Role
    radius_m: int
    k: int


class RequireChecklist(_Message, tag="require_checklist", frozen=True, kw_only=True):
    """Show ``items`` to the responders of ``role`` on this incident; they must tick them."""

    step_id: StepId
    role: Role
    items: tuple[ChecklistItem, ...]


class CloseIncident(_Message, tag="close_incident", frozen=True, kw_only=True):
    """Every close requirement is met: close the incident."""

    outcome: Outcome | None


class RejectClose(_Message, tag="reject_close", frozen=True, kw_only=True):
    """The close request is refused; ``missing`` lists what must happen first."""

    reason: str
    missing: tuple[str, ...]


Effect = (
    AlertRole
    | WithdrawOffers
    | AdoptResponder
    | StartTimer
    | CancelTimer
    | AppendEvent
    | RaisePriority
    | NotifyLeader
    | NotifySupervisor
    | WidenSearch
    | RequireChecklist
    | CloseIncident
    | RejectClose
)


def event_decoder() -> msgspec.json.Decoder[Event]:
    """Return a JSON decoder for :data:`Event` (build it once and reuse it)."""
    return msgspec.json.Decoder(Event)


def effect_decoder() -> msgspec.json.Decoder[Effect]:
    """Return a JSON decoder for :data:`Effect` (build it once and reuse it)."""
    return msgspec.json.Decoder(Effect)
