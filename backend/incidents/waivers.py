"""Waived steps: which running steps the duty officer may waive, and the waivers on record.

A step is waived when it can never complete (nobody of a role reachable, offers expired,
escalations spent) and the field has done the work without it; the playbook engine then moves
on as if it had completed (``playbooks.events.StepWaived``). The service records the waiver as
``step.waived`` on the incident's log; the archive lists them from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec

from backend.errors import Conflict
from backend.incidents.models import TimelineEntry
from playbooks.schema import CloseStep
from playbooks.state import RunState

WAIVED = "step.waived"
"""The kind of the log entry a waiver leaves (with ``step_id`` and ``reason``)."""


class Waiver(msgspec.Struct, frozen=True, kw_only=True):
    """One waived step, as the archive shows it."""

    step_id: str
    by: str | None
    reason: str
    at: datetime


def is_waivable(state: RunState, step_id: str) -> bool:
    """Whether ``step_id`` is running in ``state`` and is not the close step."""
    if state.status != "running" or all(c.step_id != step_id for c in state.cursors):
        return False
    return not isinstance(state.playbook.find_step(step_id), CloseStep)


def check_waivable(state: RunState, step_id: str) -> None:
    """Raise 409 naming the step unless the operator may waive it now."""
    if is_waivable(state, step_id):
        return
    running = sorted({c.step_id for c in state.cursors}) if state.status == "running" else []
    if step_id in running:
        raise Conflict(
            f"step {step_id} is the close step: close the incident instead of waiving it",
            field="step_id",
            code="step_not_waivable",
        )
    raise Conflict(
        f"step {step_id} is not running (running: {', '.join(running) or 'none'})",
        field="step_id",
        code="step_not_running",
    )


def waivers_of(timeline: Iterable[TimelineEntry]) -> list[Waiver]:
    """The waivers on an incident's log, oldest first."""
    return [
        Waiver(
            step_id=str(e.data.get("step_id", "")),
            by=e.actor_name,
            reason=str(e.data.get("reason", "")),
            at=e.at,
        )
        for e in timeline
        if e.kind == WAIVED
    ]
