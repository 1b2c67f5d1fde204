"""Builders and domain assertions shared by the playbook tests."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import pytest

from playbooks.engine import step
from playbooks.errors import PlaybookLoadError
from playbooks.events import AlertRole, AppendEvent, Effect, Event, IncidentOpened, StartTimer
from playbooks.loader import parse_playbook
from playbooks.schema import IncidentContext, Playbook
from playbooks.state import RunState, check_invariants, new_run

HEADER = """\
id: test_book
version: 1
title: {zh-CN: 测试, en: Test}
triggers: {kinds: [crisis_at_home]}
"""

# A small playbook exercising quorum, escalation with resume, arrivals, a checklist and close.
SMALL = (
    HEADER
    + """\
steps:
  - id: alert_team
    type: alert
    roles:
      - {role: police, quorum: 2}
      - {role: community_doctor, quorum: 1}
    k: 3
    deadline: 2m
    on_timeout: [widen, to_street]
  - id: widen
    type: escalate
    radius_factor: 2.0
    k_increase: 1
    notify_supervisor: true
  - id: to_street
    type: escalate
    notify_leader: street
    raise_priority: true
  - id: arrive
    type: wait
    until: arrivals
    roles: [{role: police, quorum: 1}]
    deadline: 15m
  - id: checks
    type: checklist
    items:
      - {id: safe, role: police, text: {zh-CN: 安全, en: Safe}}
      - {id: note, role: police, required: false, text: {zh-CN: 备注, en: Note}}
  - id: close
    type: close
    require_handover: if_hospitalised
    require_items: [checks.safe]
"""
)

CONTEXT = IncidentContext(kind="crisis_at_home", risk_grade=2, has_care_team=True)


def book(steps_yaml: str, *, header: str = HEADER) -> Playbook:
    """Parse a playbook made of the test header and ``steps_yaml`` (indented freely)."""
    return parse_playbook(header + textwrap.dedent(steps_yaml), source="test.yaml")


def load_error(text: str) -> PlaybookLoadError:
    """Parse ``text`` and return the :class:`PlaybookLoadError` it must raise."""
    with pytest.raises(PlaybookLoadError) as caught:
        parse_playbook(textwrap.dedent(text), source="bad.yaml")
    return caught.value


def assert_load_problem(text: str, path: str, reason_part: str) -> None:
    """Assert that loading ``text`` fails at ``path`` with a reason containing ``reason_part``."""
    error = load_error(text)
    found = [(p.path, p.reason) for p in error.problems]
    assert any(p == path and reason_part in r for p, r in found), found
    assert error.file == "bad.yaml"


def start(playbook: Playbook, context: IncidentContext = CONTEXT) -> tuple[RunState, list[Effect]]:
    """Create and open a run of ``playbook`` at time 0."""
    state, effects = step(new_run("run-1", playbook), IncidentOpened(context=context), 0.0)
    return state, list(effects)


def feed(state: RunState, events: Iterable[tuple[float, Event]]) -> tuple[RunState, list[Effect]]:
    """Apply ``(time, event)`` pairs in order, checking invariants after each; return all effects."""
    collected: list[Effect] = []
    for now, event in events:
        state, effects = step(state, event, now)
        assert check_invariants(state) == [], check_invariants(state)
        collected.extend(effects)
    return state, collected


def logged(effects: Sequence[Effect], kind: str) -> list[dict[str, object]]:
    """Return the payloads of the ``AppendEvent`` effects of one kind."""
    return [dict(e.payload) for e in effects if isinstance(e, AppendEvent) and e.kind == kind]


def alerts(effects: Sequence[Effect]) -> list[AlertRole]:
    """Return the ``AlertRole`` effects."""
    return [e for e in effects if isinstance(e, AlertRole)]


def timers(effects: Sequence[Effect]) -> list[StartTimer]:
    """Return the ``StartTimer`` effects."""
    return [e for e in effects if isinstance(e, StartTimer)]


def at_steps(state: RunState) -> list[str]:
    """Return the ids of the steps the run waits on, in cursor order."""
    return [c.step_id for c in state.cursors]
