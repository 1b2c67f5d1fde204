"""The playbook engine: ``step(run_state, event, now) -> (run_state, effects)``. Pure.

Like a protocol object in python-websockets, the engine does no I/O and reads no clock: the
caller passes the time (``now``, Unix seconds) with each event, performs the effects it gets
back (alert responders, store timers, append events) and feeds what happens next back in as
events. Given the same state, event and time it always returns the same result, so a run can be
replayed from its event log.

The caller's loop, per incident (serialise calls for one run, e.g. ``SELECT ... FOR UPDATE``)::

    state = new_run(run_id, library.select_for(context))
    state, effects = step(state, IncidentOpened(context=context), now)
    # perform effects in order, in the same transaction that stores `state`
    # later: state, effects = step(state, OfferAccepted(...), now) ... until status is closed

Events a run cannot use (a duplicate acceptance, a timer already cancelled, an item that does
not exist) change nothing but an ``event_ignored`` entry in the log; events after the run has
closed or been cancelled return the state unchanged and no effects.
"""

from __future__ import annotations

import msgspec

from playbooks.errors import EngineError
from playbooks.events import (
    AlertRole,
    Cancelled,
    CancelTimer,
    ChecklistTicked,
    CloseIncident,
    CloseRequested,
    Effect,
    Event,
    HandoverConfirmed,
    IncidentOpened,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OutcomeSet,
    RecordSheetSubmitted,
    RejectClose,
    ResponderArrived,
    StepWaived,
    SubjectIdentified,
    TimerFired,
    WithdrawOffers,
)
from playbooks.flow import (
    complete,
    end_deadline,
    enter,
    go,
    settle,
    withdraw_open_offers,
)
from playbooks.schema import AlertStep, CloseStep, EscalateStep, timeouts_of
from playbooks.state import Acceptance, Arrival, Refusal, RunState, RunStatus
from playbooks.work import Work

__all__ = ["step"]


def step(state: RunState, event: Event, now: float) -> tuple[RunState, tuple[Effect, ...]]:
    """Apply one event to a run at time ``now``; return the new state and the effects to perform.

    ``state`` is not modified. Effects must be performed in order; the new state and the
    effects belong in one transaction (the outbox rule).
    """
    if state.status in ("closed", "cancelled"):
        return state, ()
    work = Work(state, now)
    if state.status == "pending" and not isinstance(event, IncidentOpened | Cancelled):
        _ignore(work, event, "the incident is not open yet")
    else:
        _handle(work, event)
        if work.status == "running":
            settle(work)
    return work.freeze(), tuple(work.effects)


def _handle(work: Work, event: Event) -> None:  # noqa: C901 - one flat case per event type
    match event:
        case IncidentOpened():
            _on_opened(work, event)
        case OfferAccepted():
            _on_accepted(work, event)
        case OfferDeclined() | OfferExpired():
            if not _drop_carried(work, event):
                _on_refused(work, event)
        case ResponderArrived():
            _on_arrived(work, event)
        case ChecklistTicked():
            _on_ticked(work, event)
        case TimerFired():
            _on_timer(work, event)
        case RecordSheetSubmitted():
            _on_record_sheet(work, event)
        case OutcomeSet():
            work.outcome = event.outcome
            work.log("outcome_set", outcome=event.outcome)
        case HandoverConfirmed():
            # The last hand-over counts; one named in free text (no id) clears an earlier id.
            work.handover_hospital, work.handover_hospital_id = event.hospital, event.hospital_id
            work.log("handover_confirmed", hospital=event.hospital, responder_id=event.responder_id)
        case SubjectIdentified():
            _on_identified(work, event)
        case CloseRequested():
            _on_close_requested(work, event)
        case Cancelled():
            _end(work, "cancelled", by=event.by, reason=event.reason)
        case StepWaived():
            _on_waived(work, event)


def _ignore(work: Work, event: Event, reason: str) -> None:
    work.log("event_ignored", event=str(type(event).__struct_config__.tag), reason=reason)


def _on_opened(work: Work, event: IncidentOpened) -> None:
    if work.state.status != "pending":
        _ignore(work, event, "the incident is already open")
        return
    playbook = work.playbook
    work.status, work.opened, work.opened_at = "running", event.context, work.now
    work.log(
        "run_started",
        playbook_id=playbook.id,
        playbook_version=playbook.version,
        kind=event.context.kind,
        risk_grade=event.context.risk_grade,
        priority=work.priority,
    )
    go(work, 0, None, playbook.steps[0].id)


def _on_identified(work: Work, event: SubjectIdentified) -> None:
    work.opened = msgspec.structs.replace(
        work.context, risk_grade=event.risk_grade, has_care_team=event.has_care_team
    )
    work.log("subject_identified", risk_grade=event.risk_grade, has_care_team=event.has_care_team)


def _drop_carried(work: Work, event: OfferDeclined | OfferExpired) -> bool:
    """A responder carried over from a replaced run, not yet adopted, stepped down: they no
    longer fill a place this run may count on. True when the event was theirs."""
    mine = [c for c in work.carried if c.responder_id == event.responder_id]
    for carried in mine:
        work.carried.remove(carried)
        work.log("carried_responder_left", role=carried.role, responder_id=carried.responder_id)
    return bool(mine)


def _alert_step(
    work: Work, event: OfferAccepted | OfferDeclined | OfferExpired
) -> AlertStep | None:
    found = work.playbook.find_step(event.step_id)
    if not isinstance(found, AlertStep):
        _ignore(work, event, f"{event.step_id!r} is not an alert step")
        return None
    if all(want.role != event.role for want in found.roles):
        _ignore(work, event, f"{event.step_id!r} does not alert {event.role}")
        return None
    return found


def _on_accepted(work: Work, event: OfferAccepted) -> None:
    found = _alert_step(work, event)
    if found is None:
        return
    if any((a.step_id, a.responder_id) == (found.id, event.responder_id) for a in work.acceptances):
        _ignore(work, event, f"{event.responder_id} already accepted {found.id!r}")
        return
    work.acceptances.append(
        Acceptance(step_id=found.id, role=event.role, responder_id=event.responder_id, at=work.now)
    )
    count = work.accepted(event.role, found.id)
    quorum = next(w.quorum for w in found.roles if w.role == event.role)
    work.log(
        "offer_accepted",
        step_id=found.id,
        role=event.role,
        responder_id=event.responder_id,
        accepted=count,
        quorum=quorum,
    )
    if count == quorum:
        work.log("quorum_reached", step_id=found.id, role=event.role, quorum=quorum)
        work.effects.append(WithdrawOffers(step_id=found.id, role=event.role))


def _on_refused(work: Work, event: OfferDeclined | OfferExpired) -> None:
    found = _alert_step(work, event)
    if found is None:
        return
    expired = isinstance(event, OfferExpired)
    mine = [
        a
        for a in work.acceptances
        if (a.step_id, a.role, a.responder_id) == (found.id, event.role, event.responder_id)
    ]
    for acceptance in mine:
        # Declining after accepting withdraws the acceptance; a completed step stays completed.
        work.acceptances.remove(acceptance)
        work.log(
            "acceptance_withdrawn",
            step_id=found.id,
            role=event.role,
            responder_id=event.responder_id,
        )
    work.refusals.append(
        Refusal(
            step_id=found.id,
            role=event.role,
            responder_id=event.responder_id,
            at=work.now,
            expired=expired,
        )
    )
    work.log(
        "offer_expired" if expired else "offer_declined",
        step_id=found.id,
        role=event.role,
        responder_id=event.responder_id,
    )
    cursor = work.cursor_on(found.id)
    if cursor is None and found.wait:
        return
    want = next(w for w in found.roles if w.role == event.role)
    needed = want.quorum - work.accepted(event.role, found.id)
    if needed <= 0:
        return
    search = work.search(found, want)
    timer = next(
        (
            t
            for t in work.timers
            if cursor is not None and t.step_id == found.id and t.attempt == cursor.attempt
        ),
        None,
    )
    work.effects.append(
        AlertRole(
            step_id=found.id,
            role=event.role,
            count=needed,
            k=1,
            radius_m=search.radius_m,
            care_team_first=found.care_team_first,
            no_lone_responder=found.no_lone_responder,
            deadline_at=timer.due_at if timer is not None else None,
            exclude=work.exclude(found.id, event.role),
            reason="replacement",
        )
    )


def _on_arrived(work: Work, event: ResponderArrived) -> None:
    if any(a.responder_id == event.responder_id for a in work.arrivals):
        _ignore(work, event, f"{event.responder_id} already arrived")
        return
    work.arrivals.append(Arrival(role=event.role, responder_id=event.responder_id, at=work.now))
    work.log(
        "responder_arrived",
        role=event.role,
        responder_id=event.responder_id,
        on_scene=work.arrived(event.role),
    )


def _on_ticked(work: Work, event: ChecklistTicked) -> None:
    if event.item not in work.playbook.checklist_items():
        _ignore(work, event, f"no checklist item {event.item!r} in this playbook")
    elif event.item in work.ticked:
        _ignore(work, event, f"{event.item!r} is already ticked")
    else:
        work.ticked.append(event.item)
        work.log("checklist_ticked", item=event.item, responder_id=event.responder_id)


def _on_timer(work: Work, event: TimerFired) -> None:
    timer = next((t for t in work.timers if t.timer_id == event.timer_id), None)
    if timer is None:
        _ignore(work, event, f"timer {event.timer_id} is not running (cancelled or fired)")
        return
    work.timers.remove(timer)
    cursor = next(
        (
            c
            for c in work.cursors
            if (c.thread, c.step_id, c.attempt) == (timer.thread, timer.step_id, timer.attempt)
        ),
        None,
    )
    if cursor is None:
        raise EngineError(f"run {work.state.run_id}: timer {timer.timer_id} has no cursor")
    misses = work.misses.get(timer.step_id, 0) + 1
    work.misses[timer.step_id] = misses
    work.log(
        "deadline_missed",
        step_id=timer.step_id,
        attempt=timer.attempt,
        timer_id=timer.timer_id,
        due_at=timer.due_at,
        purpose=timer.purpose,
    )
    missed = work.step(timer.step_id)
    ladder = timeouts_of(missed)
    if not ladder:
        return  # no escalation written: keep waiting; the miss stays on the record
    target_id = ladder[min(misses, len(ladder)) - 1]
    target = work.step(target_id)
    resumes = isinstance(target, EscalateStep) and target.next is None
    if not resumes:
        withdraw_open_offers(work, missed)
    work.cursors.remove(cursor)
    source = missed.id if isinstance(target, EscalateStep) else None
    if source is not None:
        enter(work, cursor.thread, cursor.fork, target_id, source)
    else:
        go(work, cursor.thread, cursor.fork, target_id)


def _on_waived(work: Work, event: StepWaived) -> None:
    """Let a step that cannot complete go, on the operator's word, as if it had completed."""
    found = work.playbook.find_step(event.step_id)
    if isinstance(found, CloseStep):
        _ignore(work, event, f"{event.step_id!r} is the close step: request a close instead")
        return
    cursors = [c for c in work.cursors if c.step_id == event.step_id]
    if found is None or not cursors:
        _ignore(work, event, f"{event.step_id!r} is not running")
        return
    # The step is left short of its quorum: its open offers go, as when a deadline abandons it.
    withdraw_open_offers(work, found)
    for cursor in cursors:
        if cursor not in work.cursors:
            continue  # a join reached by an earlier cursor of this step already moved it on
        work.log(
            "step_waived",
            step_id=found.id,
            attempt=cursor.attempt,
            by=event.by,
            reason=event.reason,
        )
        # The deadline was not met, only made moot: the record says cancelled, not met.
        complete(work, cursor, deadline="deadline_cancelled")


def _on_record_sheet(work: Work, event: RecordSheetSubmitted) -> None:
    if work.record_sheet_id is not None:
        _ignore(work, event, "a record sheet was already submitted")
        return
    work.record_sheet_id, work.record_sheet_at = event.sheet_id, work.now
    work.log("record_sheet_submitted", sheet_id=event.sheet_id, responder_id=event.responder_id)
    for cursor in list(work.cursors):
        if isinstance(work.step(cursor.step_id), CloseStep):
            end_deadline(work, cursor, "deadline_met")


def missing_for_close(work: Work) -> list[str]:
    """Return what still stands between the run and closing (empty: it may close)."""
    missing: list[str] = []
    closes: list[CloseStep] = []
    for cursor in work.cursors:
        found = work.step(cursor.step_id)
        if isinstance(found, CloseStep):
            closes.append(found)
        else:
            missing.append(f"step:{found.id}")
    if not closes:
        return missing or ["step:close"]
    outcome, hospital = work.outcome, work.handover_hospital
    for close in closes:
        if close.require_record_sheet and work.record_sheet_id is None:
            missing.append("record_sheet")
        if close.require_outcome and outcome is None:
            missing.append("outcome")
        if hospital is None and (
            close.require_handover == "always"
            or (close.require_handover == "if_hospitalised" and outcome == "hospitalised")
        ):
            missing.append("hospital_handover")
        missing.extend(f"item:{ref}" for ref in close.require_items if ref not in work.ticked)
    return list(dict.fromkeys(missing))


def _on_close_requested(work: Work, event: CloseRequested) -> None:
    missing = missing_for_close(work)
    if missing:
        reason = "cannot close yet, missing: " + ", ".join(missing)
        work.log("close_rejected", by=event.by, missing=", ".join(missing))
        work.effects.append(RejectClose(reason=reason, missing=tuple(missing)))
        return
    _end(work, "closed", by=event.by, reason="")
    work.effects.append(CloseIncident(outcome=work.outcome))


def _end(work: Work, status: RunStatus, *, by: str, reason: str) -> None:
    """Stop the run: withdraw open offers, cancel every timer, clear every cursor."""
    # Every alert step entered so far, waiting or fire-and-forget, may still have open offers.
    for entered in work.playbook.steps:
        if entered.id in work.attempts:
            withdraw_open_offers(work, entered)
    for timer in work.timers:
        work.effects.append(CancelTimer(timer_id=timer.timer_id))
        work.log(
            "deadline_cancelled",
            step_id=timer.step_id,
            attempt=timer.attempt,
            timer_id=timer.timer_id,
            due_at=timer.due_at,
        )
    work.cursors.clear()
    work.timers.clear()
    work.forks.clear()
    work.status, work.ended_at = status, work.now
    work.log("run_closed" if status == "closed" else "run_cancelled", by=by, reason=reason)
