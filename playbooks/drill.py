"""Drills: run a synthetic incident through a playbook on a virtual clock, paging nobody (pure).

A scenario (YAML) scripts what the field does: acceptances, refusals, arrivals, ticks, the
record sheet, at offsets from the incident's opening. :func:`run_drill` feeds those events to
the engine in time order, keeps a timer table from the engine's ``StartTimer``/``CancelTimer``
effects exactly as the backend would, and fires each timer when the virtual clock passes it.
The result is a timeline and a list of every deadline, met or missed; :func:`format_report`
prints it. :func:`load_scenario` is the only part that reads a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

import msgspec

from playbooks.drill_text import describe_effect, describe_event
from playbooks.durations import Duration, format_offset, parse_duration
from playbooks.engine import step
from playbooks.errors import DrillError, PlaybookLoadError, Problem
from playbooks.events import (
    AppendEvent,
    CancelTimer,
    Effect,
    Event,
    IncidentOpened,
    StartTimer,
    TimerFired,
)
from playbooks.loader import Library, convert, read_yaml
from playbooks.schema import Base, IncidentContext, Outcome, Playbook, PlaybookId
from playbooks.state import RunState, RunStatus, new_run

DeadlineStatus = Literal["met", "missed", "cancelled", "open"]
MAX_DRILL_EVENTS = 10_000


class ScriptedEvent(Base, frozen=True, kw_only=True):
    """One thing that happens in the drill, ``at`` an offset from the incident's opening."""

    at: Duration
    event: Event


class Expectation(Base, frozen=True, kw_only=True):
    """What the scenario's author expects; checked by :func:`unmet_expectations`."""

    status: RunStatus | None = None
    outcome: Outcome | None = None
    deadlines: tuple[str, ...] | None = None  # "<step>#<attempt> <met|missed|cancelled|open>"


class Scenario(Base, frozen=True, kw_only=True):
    """A drill script for one playbook."""

    name: str
    playbook: PlaybookId
    version: int | None = None
    description: str = ""
    context: IncidentContext
    run_id: str = "drill"
    until: Duration | None = None
    events: tuple[ScriptedEvent, ...] = ()
    expect: Expectation | None = None


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a drill timeline: an input event or an effect, at a virtual time."""

    at: float
    source: Literal["event", "effect"]
    text: str


class DeadlineRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One timer the run started and what became of it."""

    step_id: str
    attempt: int
    timer_id: str
    due_at: float
    status: DeadlineStatus
    settled_at: float | None = None

    @property
    def label(self) -> str:
        """``<step>#<attempt> <status>``, the form scenario expectations use."""
        return f"{self.step_id}#{self.attempt} {self.status}"


class DrillReport(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of a drill: the timeline, every deadline, and the final run state."""

    scenario: str
    playbook: Playbook
    timeline: tuple[TimelineEntry, ...]
    deadlines: tuple[DeadlineRecord, ...]
    state: RunState
    ended_at: float


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file; raise :class:`PlaybookLoadError` naming the problem."""
    file = Path(path)
    source = str(file)
    data = read_yaml(file.read_text(encoding="utf-8"), source=source)
    unknown = _unknown_event_fields(data)
    if unknown is not None:
        raise PlaybookLoadError([Problem(file=source, path=unknown, reason="unknown field")])
    scenario = convert(data, Scenario, source=source)
    offsets = [parse_duration(s.at) for s in scenario.events]
    for index in range(1, len(offsets)):
        if offsets[index] < offsets[index - 1]:
            raise PlaybookLoadError(
                [
                    Problem(
                        file=source,
                        path=f"events[{index}].at",
                        reason="events must be in time order",
                    )
                ]
            )
    return scenario


_EVENT_FIELDS = {
    str(cls.__struct_config__.tag): {f.encode_name for f in msgspec.structs.fields(cls)}
    for cls in get_args(Event)
}


def _unknown_event_fields(data: object) -> str | None:
    """Return the path of the first unknown field in a scenario's events, if any.

    Events are lenient on the wire (schema evolution), so a typo such as ``responder:`` would
    silently vanish from a drill; scenarios are checked strictly here instead.
    """
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        return None
    for index, scripted in enumerate(events):
        event = scripted.get("event") if isinstance(scripted, dict) else None
        if not isinstance(event, dict):
            continue
        known = _EVENT_FIELDS.get(str(event.get("type")))
        if known is None:
            continue
        for key in event:
            if key != "type" and key not in known:
                return f"events[{index}].event.{key}"
    return None


def drill_library(library: Library, scenario: Scenario) -> DrillReport:
    """Run ``scenario`` against the playbook it names in ``library``."""
    return run_drill(library.get(scenario.playbook, scenario.version), scenario)


def run_drill(playbook: Playbook, scenario: Scenario) -> DrillReport:
    """Run ``scenario`` through ``playbook`` on a virtual clock starting at 0; page nobody."""
    if scenario.playbook != playbook.id:
        raise DrillError(f"scenario {scenario.name} is for {scenario.playbook}, not {playbook.id}")
    drill = _Drill(new_run(scenario.run_id, playbook))
    drill.apply(IncidentOpened(context=scenario.context), 0.0)
    for scripted in scenario.events:
        at = float(parse_duration(scripted.at))
        drill.fire_timers_until(at)
        drill.apply(scripted.event, at)
    last = max((float(parse_duration(s.at)) for s in scenario.events), default=0.0)
    horizon = float(parse_duration(scenario.until)) if scenario.until is not None else last
    drill.fire_timers_until(horizon)
    return DrillReport(
        scenario=scenario.name,
        playbook=playbook,
        timeline=tuple(drill.timeline),
        deadlines=tuple(drill.deadlines()),
        state=drill.state,
        ended_at=max(horizon, drill.clock),
    )


class _Drill:
    """The virtual clock, the timer table and the growing timeline of one drill."""

    def __init__(self, state: RunState) -> None:
        self.state = state
        self.clock = 0.0
        self.timers: dict[str, float] = {}
        self.timeline: list[TimelineEntry] = []
        self.records: dict[str, DeadlineRecord] = {}
        self.count = 0

    def apply(self, event: Event, at: float) -> None:
        self.count += 1
        if self.count > MAX_DRILL_EVENTS:
            raise DrillError(f"drill passed {MAX_DRILL_EVENTS} events; is a deadline looping?")
        self.clock = at
        self.timeline.append(TimelineEntry(at=at, source="event", text=describe_event(event)))
        self.state, effects = step(self.state, event, at)
        for effect in effects:
            self._track(effect, at)
            text = describe_effect(effect)
            if text is not None:
                self.timeline.append(TimelineEntry(at=at, source="effect", text=text))

    def fire_timers_until(self, until: float) -> None:
        while self.timers:
            timer_id, due_at = min(self.timers.items(), key=lambda item: (item[1], item[0]))
            if due_at > until:
                return
            del self.timers[timer_id]
            self.apply(TimerFired(timer_id=timer_id), max(due_at, self.clock))

    def _track(self, effect: Effect, at: float) -> None:
        if isinstance(effect, StartTimer):
            self.timers[effect.timer_id] = effect.due_at
            attempt = int(effect.timer_id.rsplit(":", 1)[1])
            self.records[effect.timer_id] = DeadlineRecord(
                step_id=effect.step_id,
                attempt=attempt,
                timer_id=effect.timer_id,
                due_at=effect.due_at,
                status="open",
            )
        elif isinstance(effect, CancelTimer):
            self.timers.pop(effect.timer_id, None)
        elif isinstance(effect, AppendEvent) and effect.kind.startswith("deadline_"):
            timer_id = str(effect.payload.get("timer_id"))
            status: DeadlineStatus = {
                "deadline_met": "met",
                "deadline_missed": "missed",
                "deadline_cancelled": "cancelled",
            }.get(effect.kind, "open")  # type: ignore[assignment]
            if timer_id in self.records:
                self.records[timer_id] = msgspec.structs.replace(
                    self.records[timer_id], status=status, settled_at=at
                )

    def deadlines(self) -> list[DeadlineRecord]:
        return list(self.records.values())


def unmet_expectations(report: DrillReport, expect: Expectation | None) -> list[str]:
    """Return how ``report`` differs from what the scenario expects (empty: all as expected)."""
    if expect is None:
        return []
    unmet: list[str] = []
    if expect.status is not None and report.state.status != expect.status:
        unmet.append(f"status is {report.state.status}, expected {expect.status}")
    if expect.outcome is not None and report.state.outcome != expect.outcome:
        unmet.append(f"outcome is {report.state.outcome}, expected {expect.outcome}")
    if expect.deadlines is not None:
        actual = [d.label for d in report.deadlines]
        if actual != list(expect.deadlines):
            unmet.append(f"deadlines are {actual}, expected {list(expect.deadlines)}")
    return unmet


def format_report(report: DrillReport) -> str:
    """Format a drill report as plain text: header, timeline, deadlines, result."""
    playbook = report.playbook
    lines = [
        f"Drill {report.scenario}: {playbook.id} v{playbook.version} "
        f"({playbook.title.zh_cn} / {playbook.title.en})",
        "",
        "Timeline",
    ]
    for entry in report.timeline:
        marker = ">>" if entry.source == "event" else "  "
        lines.append(f"  {format_offset(entry.at)} {marker} {entry.text}")
    lines += ["", "Deadlines"]
    for record in report.deadlines:
        settled = format_offset(record.settled_at) if record.settled_at is not None else "-"
        lines.append(
            f"  {record.step_id + '#' + str(record.attempt):<28} due {format_offset(record.due_at)}"
            f"  {record.status:<9} {settled}"
        )
    counts = {s: sum(d.status == s for d in report.deadlines) for s in ("met", "missed", "open")}
    state = report.state
    lines += [
        "",
        f"Result: {state.status}, outcome {state.outcome or '-'}, at "
        f"{format_offset(state.ended_at if state.ended_at is not None else report.ended_at)}; "
        f"deadlines {counts['met']} met, {counts['missed']} missed, {counts['open']} open",
    ]
    return "\n".join(lines) + "\n"
