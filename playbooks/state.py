"""The state of one playbook run: a serialisable Struct the backend stores and restores.

A :class:`RunState` carries the full :class:`Playbook` it started with, so an incident keeps the
version it began under however the library changes. Store it with :func:`encode_run` (msgspec
JSON, e.g. a ``jsonb`` column beside the playbook id and version) and read it back with
:func:`decode_run`.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from playbooks.schema import (
    AlertStep,
    ChecklistStep,
    CloseStep,
    IncidentContext,
    Outcome,
    Playbook,
    Role,
    WaitStep,
)

RunStatus = Literal["pending", "running", "closed", "cancelled"]
TimerPurpose = Literal["step_deadline", "record_sheet"]


class _State(msgspec.Struct, frozen=True, kw_only=True):
    """Base of run-state Structs. Unknown fields are tolerated so a newer release's states load."""


class Cursor(_State, frozen=True, kw_only=True):
    """Where one branch (``thread``) of the run is waiting: a step and its attempt number."""

    thread: int
    step_id: str
    attempt: int
    entered_at: float
    fork: int | None = None


class Fork(_State, frozen=True, kw_only=True):
    """A parallel branch point: ``pending`` branches still have to reach ``join``."""

    fork: int
    join: str
    pending: int
    parent: int | None = None


class Timer(_State, frozen=True, kw_only=True):
    """A deadline the run is waiting on; the backend holds the durable copy."""

    timer_id: str
    step_id: str
    attempt: int
    thread: int
    due_at: float
    purpose: TimerPurpose


class Acceptance(_State, frozen=True, kw_only=True):
    """A responder who accepted an offer for an alert step."""

    step_id: str
    role: Role
    responder_id: str
    at: float


class Refusal(_State, frozen=True, kw_only=True):
    """A responder who declined (or let expire) an offer for an alert step."""

    step_id: str
    role: Role
    responder_id: str
    at: float
    expired: bool = False


class Arrival(_State, frozen=True, kw_only=True):
    """A responder on scene."""

    role: Role
    responder_id: str
    at: float


class Carried(_State, frozen=True, kw_only=True):
    """A responder already working when the run replaced another playbook's run.

    The first alert step of this run that wants ``role`` adopts them as an acceptance, so
    nobody is paged for a place someone already fills.
    """

    role: Role
    responder_id: str
    at: float


class Search(_State, frozen=True, kw_only=True):
    """Search parameters for one role of one alert step, after escalations widened them."""

    step_id: str
    role: Role
    radius_m: int
    k: int


class RunState(_State, frozen=True, kw_only=True):
    """Everything the engine needs to continue a run; immutable, JSON-serialisable."""

    run_id: str
    playbook: Playbook
    status: RunStatus = "pending"
    context: IncidentContext | None = None
    priority: int = 3
    opened_at: float | None = None
    ended_at: float | None = None
    cursors: tuple[Cursor, ...] = ()
    forks: tuple[Fork, ...] = ()
    timers: tuple[Timer, ...] = ()
    attempts: dict[str, int] = {}
    misses: dict[str, int] = {}
    acceptances: tuple[Acceptance, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    arrivals: tuple[Arrival, ...] = ()
    carried: tuple[Carried, ...] = ()
    ticked: tuple[str, ...] = ()
    searches: tuple[Search, ...] = ()
    record_sheet_id: str | None = None
    record_sheet_at: float | None = None
    outcome: Outcome | None = None
    handover_hospital: str | None = None
    handover_hospital_id: str | None = None
    next_thread: int = 1
    next_fork: int = 1


def new_run(run_id: str, playbook: Playbook) -> RunState:
    """Return a pending run of ``playbook``; feed it ``IncidentOpened`` to start it."""
    if not run_id or ":" in run_id:
        # Timer ids are "<run id>:<step id>:<attempt>"; a colon would make them ambiguous.
        raise ValueError(f"run id must be non-empty and contain no ':': {run_id!r}")
    return RunState(run_id=run_id, playbook=playbook, priority=playbook.priority)


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(RunState)


def encode_run(state: RunState) -> bytes:
    """Serialise a run state to JSON bytes."""
    return _ENCODER.encode(state)


def decode_run(data: bytes | str) -> RunState:
    """Restore a run state written by :func:`encode_run` (raises ``msgspec.ValidationError``)."""
    return _DECODER.decode(data)


def check_invariants(state: RunState) -> list[str]:
    """Return every broken invariant of ``state`` (empty when the state is valid).

    Used by the property tests; the backend may call it after restoring a state it doubts.
    """
    broken: list[str] = []
    if state.status in ("pending", "closed", "cancelled"):
        if state.cursors or state.timers or state.forks:
            broken.append(f"a {state.status} run has cursors, timers or forks")
        return broken
    if not state.cursors:
        broken.append("a running run has no cursor")
    if not 1 <= state.priority <= 5:
        broken.append(f"priority {state.priority} out of 1..5")
    waiting = (AlertStep, WaitStep, ChecklistStep, CloseStep)
    keys = set()
    for cursor in state.cursors:
        step = state.playbook.find_step(cursor.step_id)
        if not isinstance(step, waiting):
            broken.append(f"cursor on {cursor.step_id!r}, which is not a waiting step")
        keys.add((cursor.thread, cursor.step_id, cursor.attempt))
    if len({c.thread for c in state.cursors}) != len(state.cursors):
        broken.append("two cursors share a thread")
    ids = [t.timer_id for t in state.timers]
    if len(set(ids)) != len(ids):
        broken.append("duplicate timer ids")
    broken.extend(
        f"timer {t.timer_id} has no cursor"
        for t in state.timers
        if (t.thread, t.step_id, t.attempt) not in keys
    )
    pairs = [(a.step_id, a.responder_id) for a in state.acceptances]
    if len(set(pairs)) != len(pairs):
        broken.append("a responder accepted the same step twice")
    return broken
