"""Replacing a running incident's playbook: the old run ends cleanly, the people stay (pure)."""

from __future__ import annotations

import pytest

from playbooks.errors import EngineError
from playbooks.events import (
    AdoptResponder,
    Cancelled,
    CancelTimer,
    OfferAccepted,
    OfferDeclined,
    ResponderArrived,
    WithdrawOffers,
)
from playbooks.state import RunState, check_invariants, decode_run, encode_run
from playbooks.switch import switch_run

from .support import HEADER, SMALL, alerts, at_steps, book, feed, logged, start, timers

# What the library would choose once the subject is known to be dangerous: more police, faster.
HIGH_RISK = book(
    """\
steps:
  - id: police_first
    type: alert
    roles: [{role: police, quorum: 3}, {role: psychiatrist}]
    deadline: 1m
    next: arrive
  - id: arrive
    type: wait
    until: arrivals
    roles: [{role: police, quorum: 2}]
    deadline: 10m
  - {id: close, type: close}
""",
    header="""\
id: high_risk
version: 2
title: {zh-CN: 高风险, en: High risk}
priority: 1
triggers: {kinds: [crisis_at_home]}
""",
)

SMALL_BOOK = book(SMALL.removeprefix(HEADER))


def running_with_one_police() -> RunState:
    state, _ = start(SMALL_BOOK)
    state, _ = feed(
        state, [(10, OfferAccepted(step_id="alert_team", role="police", responder_id="p1"))]
    )
    return state


def test_the_old_run_stops_its_clocks_and_offers_and_the_new_one_starts() -> None:
    state = running_with_one_police()
    old_timers = [t.timer_id for t in state.timers]
    assert old_timers  # the alert step's deadline is running
    new, effects = switch_run(state, HIGH_RISK, "run-2", [("police", "p1")], 30.0)
    assert [e.timer_id for e in effects if isinstance(e, CancelTimer)] == old_timers
    assert [d["timer_id"] for d in logged(effects, "deadline_cancelled")] == old_timers
    withdrawn = {(e.step_id, e.role) for e in effects if isinstance(e, WithdrawOffers)}
    assert withdrawn == {("alert_team", "police"), ("alert_team", "community_doctor")}
    assert (new.run_id, new.playbook.id, new.status) == ("run-2", "high_risk", "running")
    assert at_steps(new) == ["police_first"]
    assert [t.timer_id for t in new.timers] == ["run-2:police_first:1"]
    assert [t.timer_id for t in timers(effects)] == ["run-2:police_first:1"]
    assert logged(effects, "run_started") == [
        {
            "playbook_id": "high_risk",
            "playbook_version": 2,
            "kind": "crisis_at_home",
            "risk_grade": 2,
            "priority": 1,
        }
    ]
    assert check_invariants(new) == []
    # the old run's effects come before anything the new one does
    first_new = next(i for i, e in enumerate(effects) if isinstance(e, AdoptResponder))
    last_old = max(i for i, e in enumerate(effects) if isinstance(e, CancelTimer | WithdrawOffers))
    assert last_old < first_new


def test_working_responders_fill_the_new_places_before_anyone_is_paged() -> None:
    state = running_with_one_police()
    new, effects = switch_run(state, HIGH_RISK, "run-2", [("police", "p1")], 30.0)
    adopted = [e for e in effects if isinstance(e, AdoptResponder)]
    assert adopted == [AdoptResponder(step_id="police_first", role="police", responder_id="p1")]
    asked = {(a.role, a.count): a.exclude for a in alerts(effects)}
    # three police wanted, one already there: two more, and never p1 again
    assert asked == {("police", 2): ("p1",), ("psychiatrist", 1): ("p1",)}
    assert new.carried == ()
    assert [(a.step_id, a.responder_id, a.at) for a in new.acceptances] == [
        ("police_first", "p1", 10.0)
    ]


def test_someone_who_has_left_is_not_carried_and_priority_never_drops() -> None:
    state = running_with_one_police()
    # p1 accepted but has since cleared the scene: the caller does not list them
    new, effects = switch_run(state, HIGH_RISK, "run-2", [], 30.0)
    assert [a.count for a in alerts(effects) if a.role == "police"] == [3]
    assert new.priority == 1  # the new playbook is more urgent
    calmer = book(
        """\
steps:
  - {id: look, type: alert, roles: [{role: grid_worker}], deadline: 5m, next: close}
  - {id: close, type: close}
""",
        header=HEADER.replace("id: test_book", "id: calm\npriority: 4"),
    )
    back, _ = switch_run(new, calmer, "run-3", [], 60.0)
    assert back.priority == 1


def test_a_carried_responder_no_step_wants_yet_is_dropped_when_they_step_down() -> None:
    state = running_with_one_police()
    only_doctor = book(
        """\
steps:
  - id: doctor
    type: alert
    roles: [{role: community_doctor}]
    deadline: 2m
    next: later_police
  - id: later_police
    type: alert
    roles: [{role: police}]
    deadline: 2m
    next: close
  - {id: close, type: close}
""",
    )
    new, _ = switch_run(state, only_doctor, "run-2", [("police", "p1")], 30.0)
    assert [c.responder_id for c in new.carried] == ["p1"]
    # p1 releases the old assignment (its events still name the old step)
    new, effects = feed(
        new, [(40, OfferDeclined(step_id="alert_team", role="police", responder_id="p1"))]
    )
    assert new.carried == ()
    assert logged(effects, "carried_responder_left") == [{"role": "police", "responder_id": "p1"}]
    # when the police step comes, nobody is assumed to be there
    new, effects = feed(
        new, [(50, OfferAccepted(step_id="doctor", role="community_doctor", responder_id="d1"))]
    )
    assert [(a.role, a.count) for a in alerts(effects)] == [("police", 1)]


def test_arrivals_of_working_responders_count_in_the_new_run() -> None:
    state = running_with_one_police()
    state, _ = feed(state, [(20, ResponderArrived(role="police", responder_id="p1"))])
    new, _ = switch_run(state, HIGH_RISK, "run-2", [("police", "p1"), ("police", "p2")], 30.0)
    assert [a.responder_id for a in new.arrivals] == ["p1"]
    new, _ = feed(
        new,
        [
            (40, OfferAccepted(step_id="police_first", role="police", responder_id="p3")),
            (41, OfferAccepted(step_id="police_first", role="psychiatrist", responder_id="s1")),
            (42, ResponderArrived(role="police", responder_id="p2")),
        ],
    )
    assert at_steps(new) == ["close"]  # p1 and p2 on scene: the arrivals wait is met


def test_only_a_running_run_is_replaced_and_the_new_run_needs_its_own_id() -> None:
    state = running_with_one_police()
    with pytest.raises(EngineError):
        switch_run(state, HIGH_RISK, state.run_id, [], 30.0)
    cancelled, _ = feed(state, [(20, Cancelled(by="op", reason="false alarm"))])
    with pytest.raises(EngineError):
        switch_run(cancelled, HIGH_RISK, "run-2", [], 30.0)


def test_a_replaced_run_survives_being_stored() -> None:
    state = running_with_one_police()
    only_doctor = book(
        """\
steps:
  - {id: doctor, type: alert, roles: [{role: community_doctor}], deadline: 2m, next: close}
  - {id: close, type: close}
""",
    )
    new, _ = switch_run(state, only_doctor, "run-2", [("police", "p1")], 30.0)
    assert decode_run(encode_run(new)) == new
    assert decode_run(encode_run(new)).carried[0].responder_id == "p1"
