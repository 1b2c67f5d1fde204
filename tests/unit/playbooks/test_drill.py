from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from playbooks.drill import (
    Expectation,
    Scenario,
    ScriptedEvent,
    format_report,
    load_scenario,
    run_drill,
    unmet_expectations,
)
from playbooks.errors import DrillError, PlaybookLoadError
from playbooks.events import OfferAccepted, ResponderArrived
from playbooks.schema import IncidentContext

from .support import HEADER, SMALL, book

BOOK = book(SMALL.removeprefix(HEADER))
CONTEXT = IncidentContext(kind="crisis_at_home", risk_grade=2)


def scenario(*events: ScriptedEvent, until: str | None = None) -> Scenario:
    return Scenario(name="t", playbook="test_book", context=CONTEXT, events=events, until=until)


def accept(at: str, role: str, who: str) -> ScriptedEvent:
    event = OfferAccepted(step_id="alert_team", role=role, responder_id=who)  # type: ignore[arg-type]
    return ScriptedEvent(at=at, event=event)


def test_timers_fire_when_the_virtual_clock_passes_them() -> None:
    report = run_drill(BOOK, scenario(accept("30s", "police", "p1"), accept("3m", "police", "p2")))
    assert [d.label for d in report.deadlines] == ["alert_team#1 missed", "alert_team#2 open"]
    missed = report.deadlines[0]
    assert (missed.due_at, missed.settled_at) == (120.0, 120.0)
    texts = [e.text for e in report.timeline]
    assert texts.index("timer drill:alert_team:1 fires") < texts.index(
        "police p2 accepts (alert_team)"
    )


def test_a_horizon_keeps_the_clock_running_after_the_last_event() -> None:
    report = run_drill(BOOK, scenario(until="7m"))
    assert [d.label for d in report.deadlines] == [
        "alert_team#1 missed",
        "alert_team#2 missed",
        "alert_team#3 missed",
        "alert_team#4 open",
    ]
    assert report.state.priority == 1
    assert report.ended_at == 420.0


def test_deadlines_met_in_time() -> None:
    report = run_drill(
        BOOK,
        scenario(
            accept("10s", "police", "p1"),
            accept("20s", "police", "p2"),
            accept("30s", "community_doctor", "d1"),
            ScriptedEvent(at="5m", event=ResponderArrived(role="police", responder_id="p1")),
        ),
    )
    assert [d.label for d in report.deadlines] == ["alert_team#1 met", "arrive#1 met"]
    assert report.deadlines[1].settled_at == 300.0


def test_the_report_reads_as_text() -> None:
    text = format_report(run_drill(BOOK, scenario(accept("30s", "police", "p1"))))
    assert text.startswith("Drill t: test_book v1 (测试 / Test)\n")
    assert "  +00:00:30 >> police p1 accepts (alert_team)\n" in text
    assert (
        "ALERT police x2 for alert_team (k=3, 3000 m, care team first, accept by +00:02:00)" in text
    )
    assert "alert_team#1                 due +00:02:00  open      -" in text
    assert text.endswith(
        "Result: running, outcome -, at +00:00:30; deadlines 0 met, 0 missed, 1 open\n"
    )


def test_expectations_report_every_difference() -> None:
    report = run_drill(BOOK, scenario())
    expect = Expectation(status="closed", outcome="found_safe", deadlines=("alert_team#1 met",))
    assert unmet_expectations(report, expect) == [
        "status is running, expected closed",
        "outcome is None, expected found_safe",
        "deadlines are ['alert_team#1 open'], expected ['alert_team#1 met']",
    ]
    assert unmet_expectations(report, None) == []


def test_a_scenario_for_another_playbook_is_refused() -> None:
    other = Scenario(name="x", playbook="self_harm", context=CONTEXT)
    with pytest.raises(DrillError, match="is for self_harm, not test_book"):
        run_drill(BOOK, other)


def _scenario_file(tmp_path: Path, events: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(
        textwrap.dedent("""\
        name: s
        playbook: test_book
        context: {kind: crisis_at_home}
        events:
        """)
        + textwrap.dedent(events),
        encoding="utf-8",
    )
    return path


def test_load_scenario_reads_events(tmp_path: Path) -> None:
    path = _scenario_file(
        tmp_path,
        """\
        - at: 1m
          event: {type: offer_accepted, step_id: alert_team, role: police, responder_id: p1}
        """,
    )
    loaded = load_scenario(path)
    assert loaded.events[0].event == OfferAccepted(
        step_id="alert_team", role="police", responder_id="p1"
    )


def test_load_scenario_refuses_unknown_event_fields(tmp_path: Path) -> None:
    path = _scenario_file(
        tmp_path,
        """\
        - at: 1m
          event: {type: offer_accepted, step_id: alert_team, role: police, responder: p1}
        """,
    )
    with pytest.raises(PlaybookLoadError) as caught:
        load_scenario(path)
    assert (caught.value.path, caught.value.reason) == (
        "events[0].event.responder",
        "unknown field",
    )


def test_load_scenario_refuses_events_out_of_order(tmp_path: Path) -> None:
    path = _scenario_file(
        tmp_path,
        """\
        - {at: 2m, event: {type: close_requested, by: op}}
        - {at: 1m, event: {type: close_requested, by: op}}
        """,
    )
    with pytest.raises(PlaybookLoadError, match=r"events\[1\]\.at: events must be in time order"):
        load_scenario(path)


def test_load_scenario_maps_decode_errors_to_paths(tmp_path: Path) -> None:
    path = _scenario_file(
        tmp_path,
        """\
        - {at: 2m, event: {type: responder_arrived, role: pilot, responder_id: x}}
        """,
    )
    with pytest.raises(PlaybookLoadError) as caught:
        load_scenario(path)
    assert caught.value.path == "events[0].event.role"
