"""One-line descriptions of events and effects for drill timelines (pure).

Drill clocks start at 0, so absolute times in effects print as offsets from the opening.
"""

from __future__ import annotations

from playbooks.durations import format_offset
from playbooks.events import (
    AdoptResponder,
    AlertRole,
    AppendEvent,
    Cancelled,
    CancelTimer,
    ChecklistTicked,
    CloseIncident,
    CloseRequested,
    Effect,
    Event,
    HandoverConfirmed,
    IncidentOpened,
    NotifyLeader,
    NotifySupervisor,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OutcomeSet,
    RaisePriority,
    RecordSheetSubmitted,
    RejectClose,
    RequireChecklist,
    ResponderArrived,
    StartTimer,
    StepWaived,
    SubjectIdentified,
    TimerFired,
    WidenSearch,
    WithdrawOffers,
)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def describe_event(event: Event) -> str:  # noqa: C901 - one flat case per event type
    """Describe an input event in one line."""
    match event:
        case IncidentOpened(context=c):
            flags = f" flags={','.join(c.flags)}" if c.flags else ""
            return (
                f"incident opened: kind={c.kind} risk_grade={c.risk_grade} "
                f"violent={_yes(c.violent)} care_team={_yes(c.has_care_team)}{flags}"
            )
        case OfferAccepted():
            return f"{event.role} {event.responder_id} accepts ({event.step_id})"
        case OfferDeclined():
            return f"{event.role} {event.responder_id} declines ({event.step_id})"
        case OfferExpired():
            return f"offer to {event.role} {event.responder_id} expires ({event.step_id})"
        case ResponderArrived():
            return f"{event.role} {event.responder_id} arrives on scene"
        case ChecklistTicked():
            return f"{event.responder_id} ticks {event.item}"
        case TimerFired():
            return f"timer {event.timer_id} fires"
        case RecordSheetSubmitted():
            return f"record sheet {event.sheet_id} submitted by {event.responder_id}"
        case OutcomeSet():
            return f"outcome set: {event.outcome}"
        case HandoverConfirmed():
            return f"hand-over to {event.hospital} confirmed by {event.responder_id}"
        case SubjectIdentified():
            return (
                f"subject identified: risk_grade={event.risk_grade} "
                f"care_team={_yes(event.has_care_team)}"
            )
        case CloseRequested():
            return f"close requested by {event.by}"
        case Cancelled():
            return f"cancelled by {event.by}: {event.reason}"
        case StepWaived():
            return f"step {event.step_id} waived by {event.by}: {event.reason}"


def describe_effect(effect: Effect) -> str | None:  # noqa: C901 - one flat case per effect type
    """Describe an effect in one line, or ``None`` for effects a timeline need not show."""
    match effect:
        case AlertRole():
            notes = [f"k={effect.k}", f"{effect.radius_m} m"]
            if effect.care_team_first:
                notes.append("care team first")
            if effect.no_lone_responder:
                notes.append("no lone responder")
            if effect.deadline_at is not None:
                notes.append(f"accept by {format_offset(effect.deadline_at)}")
            if effect.exclude:
                notes.append(f"excluding {len(effect.exclude)}")
            return (
                f"ALERT {effect.role} x{effect.count} for {effect.step_id} "
                f"({', '.join(notes)}) [{effect.reason}]"
            )
        case WithdrawOffers():
            return f"withdraw open offers: {effect.role} ({effect.step_id})"
        case AdoptResponder():
            return f"{effect.responder_id} carried over as {effect.role} ({effect.step_id})"
        case StartTimer():
            return f"timer {effect.timer_id} due {format_offset(effect.due_at)}"
        case CancelTimer():
            return None
        case AppendEvent():
            return _describe_log(effect)
        case RaisePriority():
            return f"PRIORITY raised to P{effect.priority}"
        case NotifyLeader():
            return f"NOTIFY on-duty {effect.level} leader: {effect.reason}"
        case NotifySupervisor():
            return f"NOTIFY {effect.role} supervisor: {effect.reason}"
        case WidenSearch():
            return (
                f"WIDEN search for {effect.role} ({effect.step_id}): "
                f"{effect.radius_m} m, k={effect.k}"
            )
        case RequireChecklist():
            items = ", ".join(item.id for item in effect.items)
            return f"checklist for {effect.role} ({effect.step_id}): {items}"
        case CloseIncident():
            return f"CLOSE incident, outcome {effect.outcome}"
        case RejectClose():
            return f"close REJECTED: {effect.reason}"


def _describe_log(effect: AppendEvent) -> str | None:  # noqa: C901 - a lookup by kind
    p = effect.payload
    step = f"{p.get('step_id')}#{p.get('attempt')}"
    match effect.kind:
        case "run_started":
            return f"run started: {p['playbook_id']} v{p['playbook_version']}, P{p['priority']}"
        case "step_started":
            return f"step {step} ({p['step_type']}) starts"
        case "step_completed":
            return f"step {step} done"
        case "deadline_met":
            return f"deadline {step} met"
        case "deadline_missed":
            return f"DEADLINE MISSED {step} (due {format_offset(float(str(p['due_at'])))})"
        case "deadline_cancelled":
            return f"deadline {step} cancelled"
        case "quorum_reached":
            return f"quorum reached: {p['role']} {p['quorum']} ({p['step_id']})"
        case "branch_taken":
            return (
                f"branch {p['step_id']}: condition {str(p['condition']).lower()} -> {p['target']}"
            )
        case "fork_started":
            return f"fork {p['step_id']}: {p['branches']} branches in parallel"
        case "step_waived":
            return f"step {step} WAIVED by {p['by']}: {p['reason']}"
        case "close_ready":
            return f"close step {p['step_id']} reached"
        case "acceptance_withdrawn":
            return f"acceptance withdrawn: {p['role']} {p['responder_id']} ({p['step_id']})"
        case "event_ignored":
            return f"ignored {p['event']}: {p['reason']}"
        case "run_closed" | "run_cancelled":
            verb = "closed" if effect.kind == "run_closed" else "cancelled"
            return f"run {verb} by {p['by']}"
    return None
