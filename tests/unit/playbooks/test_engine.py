from __future__ import annotations

import msgspec
import pytest

from playbooks.engine import step
from playbooks.errors import EngineError
from playbooks.events import (
    AlertRole,
    Cancelled,
    CancelTimer,
    ChecklistTicked,
    CloseIncident,
    CloseRequested,
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
    StartTimer,
    TimerFired,
    WithdrawOffers,
)
from playbooks.state import Cursor, RunState, new_run

from .support import CONTEXT, HEADER, SMALL, alerts, at_steps, book, feed, logged, start, timers

BOOK = book(SMALL.removeprefix(HEADER))


def accepted(role: str, who: str, step_id: str = "alert_team") -> OfferAccepted:
    return OfferAccepted(step_id=step_id, role=role, responder_id=who)  # type: ignore[arg-type]


def team_accepted() -> RunState:
    state, _ = start(BOOK)
    state, _ = feed(
        state,
        [
            (10, accepted("police", "p1")),
            (20, accepted("police", "p2")),
            (30, accepted("community_doctor", "d1")),
        ],
    )
    return state


def at_close() -> RunState:
    state = team_accepted()
    state, _ = feed(
        state,
        [
            (300, ResponderArrived(role="police", responder_id="p1")),
            (400, ChecklistTicked(item="checks.safe", responder_id="p1")),
        ],
    )
    assert at_steps(state) == ["close"]
    return state


def test_opening_alerts_every_role_and_starts_a_deterministic_timer() -> None:
    state, effects = start(BOOK)
    assert state.status == "running"
    assert at_steps(state) == ["alert_team"]
    assert [(a.role, a.count, a.k, a.radius_m, a.deadline_at) for a in alerts(effects)] == [
        ("police", 2, 3, 3000, 120.0),
        ("community_doctor", 1, 3, 3000, 120.0),
    ]
    assert timers(effects) == [
        StartTimer(
            timer_id="run-1:alert_team:1",
            due_at=120.0,
            purpose="step_deadline",
            step_id="alert_team",
        )
    ]
    assert logged(effects, "run_started")[0]["playbook_version"] == 1


def test_a_step_completes_only_when_every_role_has_its_quorum() -> None:
    state, _ = start(BOOK)
    state, effects = feed(
        state, [(10, accepted("police", "p1")), (20, accepted("community_doctor", "d1"))]
    )
    assert at_steps(state) == ["alert_team"]
    assert logged(effects, "step_completed") == []
    state, effects = feed(state, [(30, accepted("police", "p2"))])
    assert at_steps(state) == ["arrive"]
    assert CancelTimer(timer_id="run-1:alert_team:1") in effects
    assert logged(effects, "deadline_met")[0]["step_id"] == "alert_team"
    assert timers(effects)[0].due_at == 30 + 15 * 60


def test_reaching_a_roles_quorum_withdraws_its_other_offers() -> None:
    state, _ = start(BOOK)
    _, effects = feed(state, [(10, accepted("community_doctor", "d1"))])
    assert WithdrawOffers(step_id="alert_team", role="community_doctor") in effects


def test_a_decline_re_alerts_the_next_candidate() -> None:
    state, _ = start(BOOK)
    state, _ = feed(state, [(10, accepted("police", "p1"))])
    _, effects = feed(
        state, [(15, OfferDeclined(step_id="alert_team", role="police", responder_id="p9"))]
    )
    (again,) = alerts(effects)
    assert (again.role, again.count, again.k, again.reason) == ("police", 1, 1, "replacement")
    assert again.exclude == ("p1", "p9")
    assert again.deadline_at == 120.0


def test_an_expiry_once_the_quorum_is_met_alerts_nobody() -> None:
    state, _ = start(BOOK)
    state, _ = feed(state, [(10, accepted("community_doctor", "d1"))])
    _, effects = feed(
        state, [(15, OfferExpired(step_id="alert_team", role="community_doctor", responder_id="x"))]
    )
    assert alerts(effects) == []
    assert logged(effects, "offer_expired")


def test_declining_after_accepting_withdraws_the_acceptance() -> None:
    state, _ = start(BOOK)
    state, _ = feed(state, [(10, accepted("police", "p1")), (20, accepted("police", "p2"))])
    state, effects = feed(
        state, [(25, OfferDeclined(step_id="alert_team", role="police", responder_id="p2"))]
    )
    assert logged(effects, "acceptance_withdrawn")
    assert [a.responder_id for a in state.acceptances] == ["p1"]
    state, _ = feed(state, [(30, accepted("community_doctor", "d1"))])
    assert at_steps(state) == ["alert_team"]  # still one police officer short


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (accepted("police", "p1", step_id="arrive"), "'arrive' is not an alert step"),
        (accepted("ambulance", "a1"), "'alert_team' does not alert ambulance"),
        (ChecklistTicked(item="checks.nothing", responder_id="p1"), "no checklist item"),
        (TimerFired(timer_id="run-1:arrive:7"), "is not running"),
        (IncidentOpened(context=CONTEXT), "already open"),
    ],
)
def test_events_the_run_cannot_use_change_nothing_but_the_log(event: object, reason: str) -> None:
    state, _ = start(BOOK)
    after, effects = step(state, event, 50)  # type: ignore[arg-type]
    assert msgspec.structs.replace(after) == state
    (ignored,) = logged(effects, "event_ignored")
    assert reason in str(ignored["reason"])


def test_duplicates_are_ignored() -> None:
    state = team_accepted()
    state, effects = feed(state, [(40, accepted("police", "p1"))])
    assert "already accepted" in str(logged(effects, "event_ignored")[0]["reason"])
    state, _ = feed(state, [(50, ResponderArrived(role="police", responder_id="p1"))])
    _, effects = feed(state, [(60, ResponderArrived(role="police", responder_id="p1"))])
    assert "already arrived" in str(logged(effects, "event_ignored")[0]["reason"])


def test_ticks_before_the_checklist_starts_still_count() -> None:
    state, _ = start(BOOK)
    state, _ = feed(state, [(5, ChecklistTicked(item="checks.safe", responder_id="p1"))])
    state, effects = feed(state, [(6, ChecklistTicked(item="checks.safe", responder_id="p1"))])
    assert "already ticked" in str(logged(effects, "event_ignored")[0]["reason"])
    state, _ = feed(
        state,
        [
            (10, accepted("police", "p1")),
            (20, accepted("police", "p2")),
            (30, accepted("community_doctor", "d1")),
            (40, ResponderArrived(role="police", responder_id="p1")),
        ],
    )
    assert at_steps(state) == ["close"]  # the checklist completed as it started


def test_a_missed_wait_without_escalation_keeps_waiting() -> None:
    state = team_accepted()
    state, effects = feed(state, [(30 + 900, TimerFired(timer_id="run-1:arrive:1"))])
    assert logged(effects, "deadline_missed")[0]["step_id"] == "arrive"
    assert at_steps(state) == ["arrive"]
    assert state.timers == ()
    state, _ = feed(state, [(1000, ResponderArrived(role="police", responder_id="p1"))])
    assert at_steps(state) == ["checks"]


def test_close_lists_what_is_missing() -> None:
    state, _ = start(BOOK)
    _, effects = feed(state, [(5, CloseRequested(by="op"))])
    assert effects[-1] == RejectClose(
        reason="cannot close yet, missing: step:alert_team", missing=("step:alert_team",)
    )
    state = at_close()
    state, effects = feed(
        state, [(500, OutcomeSet(outcome="hospitalised")), (501, CloseRequested(by="op"))]
    )
    assert isinstance(effects[-1], RejectClose)
    assert effects[-1].missing == ("record_sheet", "hospital_handover")
    assert state.status == "running"


def test_close_when_everything_is_there() -> None:
    state = at_close()
    assert timers([]) == []
    state, effects = feed(
        state,
        [
            (500, RecordSheetSubmitted(sheet_id="rs-1", responder_id="d1")),
            (510, OutcomeSet(outcome="hospitalised")),
            (520, HandoverConfirmed(hospital="Kangning", responder_id="p1")),
            (530, CloseRequested(by="op")),
        ],
    )
    assert effects[-1] == CloseIncident(outcome="hospitalised")
    assert logged(effects, "deadline_met")[0]["step_id"] == "close"
    assert state.status == "closed"
    assert state.ended_at == 530
    assert step(state, accepted("police", "p5"), 600) == (state, ())


def test_the_last_hand_over_counts_and_one_in_free_text_clears_the_registers_id() -> None:
    state = at_close()
    state, _ = feed(
        state, [(500, HandoverConfirmed(hospital="Kangning", hospital_id="H-1", responder_id="o"))]
    )
    assert (state.handover_hospital, state.handover_hospital_id) == ("Kangning", "H-1")
    state, _ = feed(state, [(510, HandoverConfirmed(hospital="Kangning East", responder_id="o"))])
    assert (state.handover_hospital, state.handover_hospital_id) == ("Kangning East", None)


def test_a_record_sheet_filed_early_means_no_record_sheet_timer() -> None:
    state = team_accepted()
    state, _ = feed(state, [(100, RecordSheetSubmitted(sheet_id="rs-1", responder_id="d1"))])
    state, effects = feed(
        state,
        [
            (300, ResponderArrived(role="police", responder_id="p1")),
            (400, ChecklistTicked(item="checks.safe", responder_id="p1")),
        ],
    )
    assert at_steps(state) == ["close"]
    assert timers(effects) == []
    _, effects = feed(state, [(401, RecordSheetSubmitted(sheet_id="rs-2", responder_id="d1"))])
    assert "already submitted" in str(logged(effects, "event_ignored")[0]["reason"])


def test_cancel_withdraws_offers_and_cancels_every_timer() -> None:
    state, _ = start(BOOK)
    state, _ = feed(state, [(10, accepted("police", "p1"))])
    state, effects = feed(state, [(20, Cancelled(by="op", reason="false alarm"))])
    assert state.status == "cancelled"
    assert CancelTimer(timer_id="run-1:alert_team:1") in effects
    assert {e.role for e in effects if isinstance(e, WithdrawOffers)} == {
        "police",
        "community_doctor",
    }
    assert logged(effects, "deadline_cancelled")[0]["timer_id"] == "run-1:alert_team:1"
    assert logged(effects, "run_cancelled") == [{"by": "op", "reason": "false alarm"}]


def test_before_opening_only_open_and_cancel_do_anything() -> None:
    state = new_run("run-1", BOOK)
    after, effects = step(state, accepted("police", "p1"), 0)
    assert after.status == "pending"
    assert "not open yet" in str(logged(list(effects), "event_ignored")[0]["reason"])
    after, _ = step(state, Cancelled(by="op"), 0)
    assert after.status == "cancelled"


def test_the_same_inputs_give_the_same_outputs() -> None:
    events: list[tuple[float, Event]] = [
        (10.0, accepted("police", "p1")),
        (121.0, TimerFired(timer_id="run-1:alert_team:1")),
    ]
    first = feed(start(BOOK)[0], events)
    second = feed(start(BOOK)[0], events)
    assert first == second


def test_new_run_refuses_ids_that_would_break_timer_ids() -> None:
    with pytest.raises(ValueError, match="no ':'"):
        new_run("a:b", BOOK)


def test_a_cursor_on_a_missing_step_is_an_engine_error() -> None:
    state, _ = start(BOOK)
    ghost = Cursor(thread=0, step_id="ghost", attempt=1, entered_at=0)
    broken = msgspec.structs.replace(state, cursors=(ghost,), timers=())
    with pytest.raises(EngineError, match="no step 'ghost'"):
        step(broken, accepted("police", "p1"), 10)


def test_a_timer_without_its_cursor_is_an_engine_error() -> None:
    state, _ = start(BOOK)
    broken = msgspec.structs.replace(
        state, cursors=(Cursor(thread=5, step_id="alert_team", attempt=1, entered_at=0),)
    )
    with pytest.raises(EngineError, match="has no cursor"):
        step(broken, TimerFired(timer_id="run-1:alert_team:1"), 120)


def test_alert_role_carries_no_lone_responder_and_care_team_first() -> None:
    lone = book(
        SMALL.removeprefix(HEADER).replace(
            "    k: 3\n", "    k: 3\n    no_lone_responder: true\n    care_team_first: false\n"
        )
    )
    _, effects = start(lone)
    assert all(
        isinstance(a, AlertRole) and a.no_lone_responder and not a.care_team_first
        for a in alerts(effects)
    )
