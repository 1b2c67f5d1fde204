"""A subject identified after the incident opened: branches taken later see the patient's facts."""

from __future__ import annotations

import msgspec
import pytest

from playbooks.engine import step
from playbooks.events import OfferAccepted, SubjectIdentified, event_decoder
from playbooks.schema import IncidentContext
from playbooks.state import decode_run, encode_run, new_run

from .support import alerts, at_steps, book, feed, logged, start

# The route is decided only after the first responder accepts: by then the subject may be known.
LATER_BRANCH = book("""\
steps:
  - id: first
    type: alert
    roles: [{role: police}]
    deadline: 2m
    next: route
  - id: route
    type: branch
    when: {risk_grade_at_least: 3, has_care_team: true}
    then: doctor
  - id: plain
    type: alert
    roles: [{role: community_doctor}]
    deadline: 2m
    next: close
  - id: doctor
    type: alert
    roles: [{role: community_doctor, quorum: 2}]
    deadline: 2m
    next: close
  - {id: close, type: close}
""")

UNKNOWN = IncidentContext(kind="crisis_at_home")
ACCEPTED = OfferAccepted(step_id="first", role="police", responder_id="p1")


def test_a_branch_after_the_identification_sees_the_patient() -> None:
    state, _ = start(LATER_BRANCH, UNKNOWN)
    state, effects = feed(state, [(10, SubjectIdentified(risk_grade=4, has_care_team=True))])
    assert logged(effects, "subject_identified") == [{"risk_grade": 4, "has_care_team": True}]
    assert state.context == IncidentContext(kind="crisis_at_home", risk_grade=4, has_care_team=True)
    assert at_steps(state) == ["first"]  # nothing under way is disturbed
    assert alerts(effects) == []
    state, _ = feed(state, [(20, ACCEPTED)])
    assert at_steps(state) == ["doctor"]


def test_without_the_identification_the_branch_falls_through() -> None:
    state, _ = start(LATER_BRANCH, UNKNOWN)
    state, _ = feed(state, [(20, ACCEPTED)])
    assert at_steps(state) == ["plain"]


def test_a_correction_replaces_the_facts_it_does_not_merge_them() -> None:
    state, _ = start(LATER_BRANCH, UNKNOWN)
    state, _ = feed(
        state,
        [
            (5, SubjectIdentified(risk_grade=4, has_care_team=True)),
            (9, SubjectIdentified(risk_grade=1, has_care_team=False)),
        ],
    )
    assert state.context is not None
    assert (state.context.risk_grade, state.context.has_care_team) == (1, False)
    assert state.context.kind == "crisis_at_home"  # what the caller reported stays
    state, _ = feed(state, [(20, ACCEPTED)])
    assert at_steps(state) == ["plain"]


def test_the_identified_facts_survive_a_stored_run() -> None:
    state, _ = start(LATER_BRANCH, UNKNOWN)
    state, _ = feed(state, [(5, SubjectIdentified(risk_grade=5, has_care_team=True))])
    restored = decode_run(encode_run(state))
    assert restored.context == state.context
    restored, _ = feed(restored, [(20, ACCEPTED)])
    assert at_steps(restored) == ["doctor"]


def test_before_the_run_opens_it_is_ignored() -> None:
    pending = new_run("run-1", LATER_BRANCH)
    after, effects = step(pending, SubjectIdentified(risk_grade=4), 0.0)
    assert after.context is None
    assert logged(list(effects), "event_ignored") == [
        {"event": "subject_identified", "reason": "the incident is not open yet"}
    ]


@pytest.mark.parametrize("grade", [-1, 6])
def test_a_grade_outside_0_to_5_does_not_decode(grade: int) -> None:
    with pytest.raises(msgspec.ValidationError, match="risk_grade"):
        event_decoder().decode(f'{{"type": "subject_identified", "risk_grade": {grade}}}')
