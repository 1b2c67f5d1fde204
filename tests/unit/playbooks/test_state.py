from __future__ import annotations

import msgspec
import pytest

from playbooks.events import OfferAccepted
from playbooks.state import (
    Acceptance,
    Cursor,
    RunState,
    Timer,
    check_invariants,
    decode_run,
    encode_run,
    new_run,
)

from .support import HEADER, SMALL, book, feed, start

BOOK = book(SMALL.removeprefix(HEADER))


def test_a_new_run_is_pending_with_the_playbooks_priority() -> None:
    state = new_run("inc-42", BOOK)
    assert (state.status, state.priority, state.cursors) == ("pending", 3, ())
    assert check_invariants(state) == []


def test_a_run_round_trips_through_json_with_its_playbook() -> None:
    state, _ = start(BOOK)
    state, _ = feed(
        state, [(10, OfferAccepted(step_id="alert_team", role="police", responder_id="p1"))]
    )
    data = encode_run(state)
    assert b'"version":1' in data  # the definition travels with the run
    assert decode_run(data) == state
    assert decode_run(data.decode()) == state


def test_a_stored_run_keeps_its_version_when_the_library_moves_on() -> None:
    state, _ = start(BOOK)
    stored = encode_run(state)
    # A later release edits the playbook; the stored run is untouched by it.
    assert decode_run(stored).playbook == BOOK
    assert decode_run(stored).playbook.version == 1


def test_unknown_fields_from_a_newer_release_are_tolerated() -> None:
    state, _ = start(BOOK)
    raw = msgspec.json.decode(encode_run(state))
    raw["added_later"] = {"anything": 1}
    assert decode_run(msgspec.json.encode(raw)) == state


def test_decoding_garbage_raises_a_validation_error() -> None:
    with pytest.raises(msgspec.ValidationError):
        decode_run(b'{"run_id": 5}')


def _broken(state: RunState, **changes: object) -> list[str]:
    return check_invariants(msgspec.structs.replace(state, **changes))


def test_invariants_catch_broken_states() -> None:
    state, _ = start(BOOK)
    assert check_invariants(state) == []
    assert "a running run has no cursor" in _broken(state, cursors=(), timers=())
    assert any("has cursors" in b for b in _broken(state, status="closed"))
    stray = Timer(
        timer_id="x", step_id="arrive", attempt=1, thread=0, due_at=1, purpose="step_deadline"
    )
    assert "timer x has no cursor" in _broken(state, timers=(*state.timers, stray))
    assert "duplicate timer ids" in _broken(state, timers=state.timers * 2)
    twin = Cursor(thread=0, step_id="close", attempt=1, entered_at=0)
    assert "two cursors share a thread" in _broken(state, cursors=(*state.cursors, twin))
    on_escalation = Cursor(thread=0, step_id="widen", attempt=1, entered_at=0)
    assert any(
        "not a waiting step" in b for b in _broken(state, cursors=(on_escalation,), timers=())
    )
    again = Acceptance(step_id="alert_team", role="police", responder_id="p1", at=0)
    assert "a responder accepted the same step twice" in _broken(state, acceptances=(again, again))
    assert "priority 9 out of 1..5" in _broken(state, priority=9)
