"""Property tests: random event sequences never break a run.

The sequences are drawn against the run's current state (accept for a real alert step, fire a
timer that is actually running, ...) so that they get deep into the playbooks, with a share of
stray events (stale timers, unknown responders) mixed in.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import event as event_note
from hypothesis import strategies as st

from playbooks.engine import step
from playbooks.events import (
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
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OutcomeSet,
    RecordSheetSubmitted,
    ResponderArrived,
    StartTimer,
    StepWaived,
    TimerFired,
)
from playbooks.loader import library_dir, load_library
from playbooks.schema import (
    ROLES,
    AlertStep,
    ChecklistStep,
    CloseStep,
    IncidentContext,
    Outcome,
    Playbook,
    WaitStep,
)
from playbooks.state import RunState, check_invariants, decode_run, encode_run, new_run

from .support import HEADER, SMALL, book
from .test_flow import FIRE_AND_FORGET, FORK

PLAYBOOKS: list[Playbook] = [
    *load_library(library_dir()),
    book(SMALL.removeprefix(HEADER)),
    FORK,
    FIRE_AND_FORGET,
]
RESPONDERS = [f"r{n}" for n in range(1, 13)]
OUTCOMES: list[Outcome] = ["stabilised_at_home", "hospitalised", "found_safe", "false_alarm"]


def contexts(playbook: Playbook) -> st.SearchStrategy[IncidentContext]:
    return st.builds(
        IncidentContext,
        kind=st.sampled_from(playbook.triggers.kinds),
        risk_grade=st.none() | st.integers(0, 5),
        violent=st.booleans(),
        has_care_team=st.booleans(),
        flags=st.lists(
            st.sampled_from(["weapon", "overdose_suspected", "public_place"]),
            unique=True,
            max_size=2,
        ).map(tuple),
    )


def next_event(data: st.DataObject, playbook: Playbook, state: RunState) -> Event:
    """Draw one event that fits the run (mostly) or is stray (sometimes)."""
    alert_roles = [
        (s.id, w.role) for s in playbook.steps if isinstance(s, AlertStep) for w in s.roles
    ]
    items = sorted(playbook.checklist_items())
    who = data.draw(st.sampled_from(RESPONDERS))
    kind = data.draw(
        st.sampled_from(
            ["accept"] * 6
            + ["decline", "expire"]
            + ["arrive"] * 3
            + ["tick"] * 3
            + ["timer"] * 4
            + ["sheet", "outcome", "handover", "close", "stray_timer", "cancel", "waive"]
        )
    )
    if kind in ("accept", "decline", "expire"):
        step_id, role = data.draw(st.sampled_from(alert_roles))
        if kind == "accept":
            return OfferAccepted(step_id=step_id, role=role, responder_id=who)
        if kind == "decline":
            return OfferDeclined(step_id=step_id, role=role, responder_id=who)
        return OfferExpired(step_id=step_id, role=role, responder_id=who)
    if kind == "arrive":
        return ResponderArrived(role=data.draw(st.sampled_from(ROLES)), responder_id=who)
    if kind == "tick" and items:
        return ChecklistTicked(item=data.draw(st.sampled_from(items)), responder_id=who)
    if kind == "timer" and state.timers:
        return TimerFired(timer_id=data.draw(st.sampled_from([t.timer_id for t in state.timers])))
    fixed: dict[str, Event] = {
        "sheet": RecordSheetSubmitted(sheet_id="rs", responder_id=who),
        "handover": HandoverConfirmed(hospital="Kangning", responder_id=who),
        "stray_timer": TimerFired(timer_id=f"run-1:{playbook.steps[0].id}:99"),
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "outcome":
        return OutcomeSet(outcome=data.draw(st.sampled_from(OUTCOMES)))
    if kind == "cancel" and data.draw(st.integers(0, 3)) == 0:
        return Cancelled(by="op", reason="drawn")
    if kind == "waive":
        return waiver(data, playbook, state)
    return CloseRequested(by="op")


def waiver(data: st.DataObject, playbook: Playbook, state: RunState) -> StepWaived:
    """Waive mostly a step the run waits on; sometimes any step (ignored unless running)."""
    steps = [c.step_id for c in state.cursors] or [playbook.steps[0].id]
    if data.draw(st.integers(0, 3)) == 0:
        steps = [s.id for s in playbook.steps]
    return StepWaived(step_id=data.draw(st.sampled_from(steps)), reason="drawn", by="op")


def helpful_event(playbook: Playbook, state: RunState, who: str) -> Event | None:
    """Return an event that moves the first cursor's step towards completion, if there is one."""
    here = playbook.find_step(state.cursors[0].step_id)
    busy = {a.responder_id for a in state.acceptances} | {a.responder_id for a in state.arrivals}
    fresh = next((r for r in RESPONDERS if r not in busy), who)
    if isinstance(here, AlertStep):
        for want in here.roles:
            done = sum(a.step_id == here.id and a.role == want.role for a in state.acceptances)
            if done < want.quorum:
                return OfferAccepted(step_id=here.id, role=want.role, responder_id=fresh)
    elif isinstance(here, WaitStep) and here.until == "arrivals" and here.roles:
        return ResponderArrived(role=here.roles[0].role, responder_id=fresh)
    elif isinstance(here, WaitStep) and here.item is not None:
        return ChecklistTicked(item=here.item, responder_id=who)
    elif isinstance(here, ChecklistStep):
        refs = [f"{here.id}.{item.id}" for item in here.items]
        todo = [ref for ref in refs if ref not in state.ticked]
        return ChecklistTicked(item=todo[0], responder_id=who) if todo else None
    elif isinstance(here, CloseStep):
        return helpful_for_close(here, state, who)
    return None


def helpful_for_close(here: CloseStep, state: RunState, who: str) -> Event:
    """Return the next thing a close step is missing, or the close request itself."""
    todo = [ref for ref in here.require_items if ref not in state.ticked]
    if todo:
        return ChecklistTicked(item=todo[0], responder_id=who)
    if state.record_sheet_id is None:
        return RecordSheetSubmitted(sheet_id="rs", responder_id=who)
    if state.outcome is None:
        return OutcomeSet(outcome="hospitalised")
    if state.handover_hospital is None:
        return HandoverConfirmed(hospital="Kangning", responder_id=who)
    return CloseRequested(by="op")


def assert_no_early_completion(state: RunState, effects: tuple[Effect, ...]) -> None:
    """Every step completed in this call really had its quorum, arrivals or ticks (or was waived)."""
    playbook = state.playbook
    waived = {
        e.payload["step_id"]
        for e in effects
        if isinstance(e, AppendEvent) and e.kind == "step_waived"
    }
    for effect in effects:
        if not (isinstance(effect, AppendEvent) and effect.kind == "step_completed"):
            continue
        if effect.payload["step_id"] in waived:
            continue
        done = playbook.find_step(str(effect.payload["step_id"]))
        if isinstance(done, AlertStep) and done.wait:
            for want in done.roles:
                count = sum(a.step_id == done.id and a.role == want.role for a in state.acceptances)
                assert count >= want.quorum, (done.id, want.role, count)
        elif isinstance(done, WaitStep) and done.until == "arrivals":
            for want in done.roles:
                arrived = {a.responder_id for a in state.arrivals if a.role == want.role}
                assert len(arrived) >= want.quorum, (done.id, want.role)
        elif isinstance(done, ChecklistStep):
            for item in done.items:
                assert not item.required or f"{done.id}.{item.id}" in state.ticked


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_runs_stay_valid_and_account_for_every_timer(data: st.DataObject) -> None:
    playbook = data.draw(st.sampled_from(PLAYBOOKS), label="playbook")
    context = data.draw(contexts(playbook), label="context")
    state, effects = step(new_run("run-1", playbook), IncidentOpened(context=context), 0.0)
    started: list[str] = []
    cancelled: set[str] = set()
    fired: set[str] = set()
    table: dict[str, float] = {}
    now = 0.0

    def account(effects: tuple[Effect, ...]) -> None:
        for effect in effects:
            if isinstance(effect, StartTimer):
                assert effect.timer_id not in started, "timer ids must never repeat"
                started.append(effect.timer_id)
                table[effect.timer_id] = effect.due_at
            elif isinstance(effect, CancelTimer):
                assert effect.timer_id in table, "only running timers are cancelled"
                cancelled.add(effect.timer_id)
                del table[effect.timer_id]

    account(effects)
    for _ in range(data.draw(st.integers(1, 100), label="length")):
        if state.status in ("closed", "cancelled"):
            break
        event = next_event(data, playbook, state)
        if isinstance(event, TimerFired) and event.timer_id in table:
            now = max(now, table.pop(event.timer_id))
            fired.add(event.timer_id)
        now += data.draw(st.integers(0, 600))
        state, effects = step(state, event, now)
        account(effects)
        assert check_invariants(state) == []
        assert {t.timer_id for t in state.timers} == set(table), "state and effects agree"
        assert_no_early_completion(state, effects)
        assert decode_run(encode_run(state)) == state
        if any(isinstance(e, CloseIncident) for e in effects):
            assert state.status == "closed"

    event_note(f"ended {state.status}, {len(state.playbook.steps)} steps, {len(started)} timers")
    if state.status == "running":
        state, effects = step(state, Cancelled(by="op", reason="end of test"), now + 1)
        account(effects)
    assert state.status in ("closed", "cancelled")
    assert state.timers == ()
    assert set(started) == fired | cancelled, "every timer is fired or cancelled by the end"
    assert not fired & cancelled


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_restored_run_continues_exactly_like_the_original(data: st.DataObject) -> None:
    playbook = data.draw(st.sampled_from(PLAYBOOKS), label="playbook")
    state, _ = step(
        new_run("run-1", playbook), IncidentOpened(context=data.draw(contexts(playbook))), 0.0
    )
    restored = decode_run(encode_run(state))
    now = 0.0
    for _ in range(data.draw(st.integers(1, 30), label="length")):
        event = next_event(data, playbook, state)
        now += data.draw(st.integers(0, 300))
        state, effects = step(state, event, now)
        restored, restored_effects = step(decode_run(encode_run(restored)), event, now)
        assert (restored, restored_effects) == (state, effects)
