from __future__ import annotations

import msgspec
import pytest

from playbooks.events import (
    AlertRole,
    Cancelled,
    ChecklistTicked,
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
    TimerFired,
    effect_decoder,
    event_decoder,
)
from playbooks.schema import IncidentContext

EVENTS: list[Event] = [
    IncidentOpened(context=IncidentContext(kind="self_harm", risk_grade=4, flags=("weapon",))),
    OfferAccepted(step_id="a", role="police", responder_id="p1"),
    OfferDeclined(step_id="a", role="police", responder_id="p1"),
    OfferExpired(step_id="a", role="police", responder_id="p1"),
    ResponderArrived(role="ambulance", responder_id="a1"),
    ChecklistTicked(item="s.i", responder_id="p1"),
    TimerFired(timer_id="run:a:1"),
    RecordSheetSubmitted(sheet_id="rs", responder_id="d1"),
    OutcomeSet(outcome="found_safe"),
    HandoverConfirmed(hospital="Kangning", responder_id="a1"),
    CloseRequested(by="op"),
    Cancelled(by="op", reason="x"),
    StepWaived(step_id="a", reason="nobody reachable", by="op"),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_through_one_decoder(event: Event) -> None:
    assert event_decoder().decode(msgspec.json.encode(event)) == event


def test_events_are_tagged_by_type() -> None:
    raw = msgspec.json.decode(msgspec.json.encode(EVENTS[1]))
    assert raw == {"type": "offer_accepted", "step_id": "a", "role": "police", "responder_id": "p1"}


def test_bad_events_are_refused_at_the_edge() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.role"):
        event_decoder().decode(b'{"type":"responder_arrived","role":"pilot","responder_id":"x"}')
    with pytest.raises(msgspec.ValidationError, match=r"\$\.item"):
        event_decoder().decode(b'{"type":"checklist_ticked","item":"no-dot","responder_id":"x"}')


def test_effects_round_trip() -> None:
    effects: list[Effect] = [
        AlertRole(
            step_id="a",
            role="police",
            count=2,
            k=3,
            radius_m=3000,
            care_team_first=True,
            deadline_at=120.0,
            exclude=("p9",),
        ),
        RejectClose(reason="missing", missing=("outcome",)),
    ]
    decoder = effect_decoder()
    assert [decoder.decode(msgspec.json.encode(e)) for e in effects] == effects
