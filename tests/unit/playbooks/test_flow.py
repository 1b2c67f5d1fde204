from __future__ import annotations

from playbooks.events import (
    ChecklistTicked,
    OfferAccepted,
    OfferDeclined,
    ResponderArrived,
    TimerFired,
)
from playbooks.schema import IncidentContext

from .support import alerts, at_steps, book, feed, logged, start, timers

FORK = book("""\
steps:
  - {id: fork, type: branch, parallel: [police, medical], join: together}
  - id: police
    type: alert
    roles: [{role: police}]
    deadline: 90s
    on_timeout: [again]
    next: together
  - id: medical
    type: alert
    roles: [{role: ambulance}]
    deadline: 2m
    on_timeout: [again]
    next: together
  - {id: again, type: escalate, radius_factor: 2.0}
  - id: together
    type: wait
    until: arrivals
    roles: [{role: police}, {role: ambulance}]
    deadline: 20m
  - {id: close, type: close, require_outcome: false}
""")

BRANCHES = book("""\
steps:
  - id: route
    type: branch
    when: {risk_grade_at_least: 3}
    then: police_first
  - id: everyone
    type: alert
    roles: [{role: police}, {role: community_doctor}]
    deadline: 2m
    next: close
  - id: police_first
    type: alert
    roles: [{role: police, quorum: 2}]
    no_lone_responder: true
    deadline: 2m
    next: close
  - {id: close, type: close}
""")

FIRE_AND_FORGET = book("""\
steps:
  - id: tell_guardian
    type: alert
    roles: [{role: guardian, k: 1}]
    k: 1
    wait: false
    deadline: 5m
  - id: guardian_answers
    type: wait
    until: acceptances
    roles: [{role: guardian}]
    deadline: 10m
  - id: tasks
    type: checklist
    items:
      - {id: found, role: police, required: false, text: {zh-CN: 找到, en: Found}}
      - {id: asked, role: police, text: {zh-CN: 问询, en: Asked}}
  - {id: wait_found, type: wait, until: checklist_item, item: tasks.found, deadline: 1h}
  - {id: close, type: close}
""")


def test_a_fork_runs_branches_in_parallel_and_joins_when_all_arrive() -> None:
    state, effects = start(FORK)
    assert at_steps(state) == ["police", "medical"]
    assert [c.thread for c in state.cursors] == [0, 1]
    assert {t.timer_id for t in timers(effects)} == {"run-1:police:1", "run-1:medical:1"}
    state, _ = feed(
        state, [(10, OfferAccepted(step_id="police", role="police", responder_id="p1"))]
    )
    assert at_steps(state) == ["medical"]
    assert state.forks[0].pending == 1
    state, effects = feed(
        state, [(20, OfferAccepted(step_id="medical", role="ambulance", responder_id="a1"))]
    )
    assert at_steps(state) == ["together"]
    assert state.forks == ()
    assert state.cursors[0].fork is None


def test_an_escalation_inside_a_branch_resumes_that_branch_only() -> None:
    state, _ = start(FORK)
    state, effects = feed(state, [(90, TimerFired(timer_id="run-1:police:1"))])
    assert at_steps(state) == ["medical", "police"]
    assert [a.radius_m for a in alerts(effects)] == [6000]
    assert state.forks[0].pending == 2


def test_a_condition_picks_then_or_falls_through() -> None:
    high = IncidentContext(kind="crisis_at_home", risk_grade=4)
    state, effects = start(BRANCHES, high)
    assert at_steps(state) == ["police_first"]
    assert logged(effects, "branch_taken") == [
        {"step_id": "route", "condition": True, "target": "police_first"}
    ]
    state, _ = start(BRANCHES, IncidentContext(kind="crisis_at_home", risk_grade=1))
    assert at_steps(state) == ["everyone"]
    state, _ = start(BRANCHES, IncidentContext(kind="crisis_at_home"))
    assert at_steps(state) == ["everyone"]  # an unknown grade is not "at least 3"


def test_a_fire_and_forget_alert_moves_on_and_its_answers_still_count() -> None:
    state, effects = start(FIRE_AND_FORGET)
    assert at_steps(state) == ["guardian_answers"]
    (alert,) = alerts(effects)
    assert alert.deadline_at == 300.0
    assert [t.step_id for t in timers(effects)] == ["guardian_answers"]
    _, effects = feed(
        state, [(5, OfferDeclined(step_id="tell_guardian", role="guardian", responder_id="g1"))]
    )
    assert [a.reason for a in alerts(effects)] == ["replacement"]
    state, _ = feed(
        state, [(9, OfferAccepted(step_id="tell_guardian", role="guardian", responder_id="g2"))]
    )
    assert at_steps(state) == ["tasks"]


def test_waiting_for_a_checklist_item_that_is_optional_in_its_checklist() -> None:
    state, _ = start(FIRE_AND_FORGET)
    state, _ = feed(
        state,
        [
            (9, OfferAccepted(step_id="tell_guardian", role="guardian", responder_id="g2")),
            (60, ChecklistTicked(item="tasks.asked", responder_id="p1")),
        ],
    )
    assert at_steps(state) == ["wait_found"]
    state, _ = feed(state, [(70, ChecklistTicked(item="tasks.found", responder_id="p1"))])
    assert at_steps(state) == ["close"]


def test_arrivals_count_distinct_responders_per_role() -> None:
    state, _ = start(FORK)
    state, _ = feed(
        state,
        [
            (10, OfferAccepted(step_id="police", role="police", responder_id="p1")),
            (20, OfferAccepted(step_id="medical", role="ambulance", responder_id="a1")),
            (30, ResponderArrived(role="police", responder_id="p1")),
            (40, ResponderArrived(role="police", responder_id="p2")),
        ],
    )
    assert at_steps(state) == ["together"]
    state, _ = feed(state, [(50, ResponderArrived(role="ambulance", responder_id="a1"))])
    assert at_steps(state) == ["close"]
