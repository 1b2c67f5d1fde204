"""Waiving a step: the duty officer lets a step that cannot complete go, with a reason."""

from __future__ import annotations

import msgspec
import pytest

from playbooks.drill_text import describe_event
from playbooks.engine import step
from playbooks.events import (
    CancelTimer,
    ChecklistTicked,
    CloseIncident,
    CloseRequested,
    Event,
    OfferAccepted,
    OutcomeSet,
    RecordSheetSubmitted,
    ResponderArrived,
    StepWaived,
    TimerFired,
    WithdrawOffers,
)
from playbooks.state import RunState, decode_run, encode_run

from .support import HEADER, SMALL, at_steps, book, feed, logged, start, timers
from .test_flow import FORK

BOOK = book(SMALL.removeprefix(HEADER))
REASON = "社工联系不上；民警和医生已处置"


def waive(step_id: str, reason: str = REASON) -> StepWaived:
    return StepWaived(step_id=step_id, reason=reason, by="op")


def accepted(role: str, who: str, step_id: str = "alert_team") -> OfferAccepted:
    return OfferAccepted(step_id=step_id, role=role, responder_id=who)  # type: ignore[arg-type]


def police_only() -> RunState:
    """The police accepted; no community doctor ever will."""
    state, _ = start(BOOK)
    state, _ = feed(state, [(10, accepted("police", "p1")), (20, accepted("police", "p2"))])
    assert at_steps(state) == ["alert_team"]
    return state


def test_waiving_a_stuck_alert_step_lets_the_run_reach_close() -> None:
    state, effects = feed(police_only(), [(60, waive("alert_team"))])
    assert at_steps(state) == ["arrive"]
    assert logged(effects, "step_waived") == [
        {"step_id": "alert_team", "attempt": 1, "by": "op", "reason": REASON}
    ]
    assert logged(effects, "step_completed") == [{"step_id": "alert_team", "attempt": 1}]
    state, effects = feed(
        state,
        [
            (300, ResponderArrived(role="police", responder_id="p1")),
            (400, ChecklistTicked(item="checks.safe", responder_id="p1")),
            (500, RecordSheetSubmitted(sheet_id="rs-1", responder_id="p1")),
            (510, OutcomeSet(outcome="stabilised_at_home")),
            (520, CloseRequested(by="op")),
        ],
    )
    assert effects[-1] == CloseIncident(outcome="stabilised_at_home")
    assert state.status == "closed"


def test_waiving_withdraws_the_open_offers_of_the_short_roles_only() -> None:
    state, _ = start(BOOK)
    state, _ = feed(state, [(10, accepted("community_doctor", "d1"))])
    _, effects = feed(state, [(60, waive("alert_team"))])
    withdrawn = [e for e in effects if isinstance(e, WithdrawOffers)]
    # The doctor's quorum was met (its offers went then); the police were still short.
    assert withdrawn == [WithdrawOffers(step_id="alert_team", role="police")]
    assert effects.index(withdrawn[0]) < effects.index(
        next(e for e in effects if isinstance(e, CancelTimer))
    )


def test_waiving_cancels_the_step_timer_as_cancelled_not_met() -> None:
    state, effects = feed(police_only(), [(60, waive("alert_team"))])
    assert CancelTimer(timer_id="run-1:alert_team:1") in effects
    assert logged(effects, "deadline_cancelled")[0]["timer_id"] == "run-1:alert_team:1"
    assert logged(effects, "deadline_met") == []
    assert [t.timer_id for t in timers(effects)] == ["run-1:arrive:1"]
    assert [t.timer_id for t in state.timers] == ["run-1:arrive:1"]
    # The cancelled timer firing late changes nothing.
    _, late = feed(state, [(120, TimerFired(timer_id="run-1:alert_team:1"))])
    assert "is not running" in str(logged(late, "event_ignored")[0]["reason"])


@pytest.mark.parametrize(
    ("step_id", "reason"),
    [
        ("arrive", "'arrive' is not running"),
        ("nowhere", "'nowhere' is not running"),
        ("widen", "'widen' is not running"),
    ],
)
def test_waiving_a_step_that_is_not_running_is_ignored(step_id: str, reason: str) -> None:
    state = police_only()
    after, effects = step(state, waive(step_id), 60)
    assert msgspec.structs.replace(after) == state
    (ignored,) = logged(list(effects), "event_ignored")
    assert ignored == {"event": "step_waived", "reason": reason}
    assert len(effects) == 1


def test_the_close_step_is_never_waived() -> None:
    state, _ = feed(
        police_only(),
        [
            (30, accepted("community_doctor", "d1")),
            (300, ResponderArrived(role="police", responder_id="p1")),
            (400, ChecklistTicked(item="checks.safe", responder_id="p1")),
        ],
    )
    assert at_steps(state) == ["close"]
    after, effects = step(state, waive("close"), 500)
    assert after == state
    assert "request a close instead" in str(logged(list(effects), "event_ignored")[0]["reason"])


def test_waiving_a_wait_step_moves_on_to_the_checklist() -> None:
    state, _ = feed(police_only(), [(30, accepted("community_doctor", "d1"))])
    assert at_steps(state) == ["arrive"]
    state, effects = feed(state, [(100, waive("arrive"))])
    assert at_steps(state) == ["checks"]
    assert CancelTimer(timer_id="run-1:arrive:1") in effects
    assert not [e for e in effects if isinstance(e, WithdrawOffers)]


def test_waiving_one_branch_of_a_fork_waits_for_the_other() -> None:
    state, _ = start(FORK)
    assert sorted(at_steps(state)) == ["medical", "police"]
    state, effects = feed(state, [(30, waive("medical"))])
    assert at_steps(state) == ["police"]
    assert WithdrawOffers(step_id="medical", role="ambulance") in effects
    state, _ = feed(state, [(40, accepted("police", "p1", step_id="police"))])
    assert at_steps(state) == ["together"]


def test_a_waived_run_replays_and_restores_exactly() -> None:
    events: list[tuple[float, Event]] = [
        (10.0, accepted("police", "p1")),
        (60.0, waive("alert_team")),
        (70.0, waive("alert_team")),  # a second waiver: the step is gone, ignored
    ]
    first = feed(start(BOOK)[0], events)
    second = feed(start(BOOK)[0], events)
    assert first == second
    state = first[0]
    assert decode_run(encode_run(state)) == state
    assert "'alert_team' is not running" in str(logged(first[1], "event_ignored")[0]["reason"])


def test_the_drill_text_names_the_waiver() -> None:
    assert describe_event(waive("alert_team", "nobody")) == "step alert_team waived by op: nobody"
