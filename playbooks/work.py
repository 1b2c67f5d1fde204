"""The working copy of a run state for one engine call, and questions asked of it (pure).

:class:`Work` is a mutable scratch copy of a :class:`RunState` that lives for one call of
:func:`playbooks.engine.step`; effects are collected on it in order and :meth:`Work.freeze`
returns the new immutable state.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from playbooks.errors import EngineError
from playbooks.events import AppendEvent, Effect, Scalar
from playbooks.schema import (
    AlertStep,
    AnyStep,
    ChecklistStep,
    IncidentContext,
    Outcome,
    Role,
    RoleQuorum,
    WaitStep,
)
from playbooks.state import Carried, Cursor, RunState, RunStatus, Search

# Transitions allowed in one engine call. Validation rejects cycles without a deadline, so
# only a corrupted run state can reach this; it turns an endless loop into an EngineError.
TRANSITION_BUDGET = 10_000


class Work:
    """A mutable copy of a run state for the duration of one engine call."""

    def __init__(self, state: RunState, now: float) -> None:
        self.state = state
        self.playbook = state.playbook
        self.now = now
        self.cursors = list(state.cursors)
        self.forks = list(state.forks)
        self.timers = list(state.timers)
        self.attempts = dict(state.attempts)
        self.misses = dict(state.misses)
        self.acceptances = list(state.acceptances)
        self.refusals = list(state.refusals)
        self.arrivals = list(state.arrivals)
        self.carried: list[Carried] = list(state.carried)
        self.ticked = list(state.ticked)
        self.searches = list(state.searches)
        self.priority = state.priority
        self.next_thread = state.next_thread
        self.next_fork = state.next_fork
        self.effects: list[Effect] = []
        self.budget = TRANSITION_BUDGET
        self.status: RunStatus = state.status
        self.opened: IncidentContext | None = state.context
        self.opened_at = state.opened_at
        self.ended_at = state.ended_at
        self.record_sheet_id = state.record_sheet_id
        self.record_sheet_at = state.record_sheet_at
        self.outcome: Outcome | None = state.outcome
        self.handover_hospital = state.handover_hospital
        self.handover_hospital_id = state.handover_hospital_id

    @property
    def context(self) -> IncidentContext:
        """The incident context (only valid once the run is opened)."""
        if self.opened is None:
            raise EngineError(f"run {self.state.run_id} has no incident context")
        return self.opened

    def freeze(self) -> RunState:
        """Return the new immutable run state."""
        return msgspec.structs.replace(
            self.state,
            cursors=tuple(self.cursors),
            forks=tuple(self.forks),
            timers=tuple(self.timers),
            attempts=self.attempts,
            misses=self.misses,
            acceptances=tuple(self.acceptances),
            refusals=tuple(self.refusals),
            arrivals=tuple(self.arrivals),
            carried=tuple(self.carried),
            ticked=tuple(self.ticked),
            searches=tuple(self.searches),
            priority=self.priority,
            next_thread=self.next_thread,
            next_fork=self.next_fork,
            status=self.status,
            context=self.opened,
            opened_at=self.opened_at,
            ended_at=self.ended_at,
            record_sheet_id=self.record_sheet_id,
            record_sheet_at=self.record_sheet_at,
            outcome=self.outcome,
            handover_hospital=self.handover_hospital,
            handover_hospital_id=self.handover_hospital_id,
        )

    def log(self, kind: str, /, **payload: Scalar) -> None:
        """Emit an :class:`AppendEvent` for the incident's event log."""
        self.effects.append(AppendEvent(kind=kind, payload=payload))

    def step(self, step_id: str) -> AnyStep:
        """Return a step of the run's playbook; a missing one means a corrupted state."""
        found = self.playbook.find_step(step_id)
        if found is None:
            raise EngineError(f"run {self.state.run_id}: playbook has no step {step_id!r}")
        return found

    def new_thread(self) -> int:
        """Allocate a thread id for a new parallel branch."""
        thread = self.next_thread
        self.next_thread += 1
        return thread

    def cursor_on(self, step_id: str) -> Cursor | None:
        """Return the cursor waiting on ``step_id``, if any."""
        return next((c for c in self.cursors if c.step_id == step_id), None)

    def accepted(self, role: Role, step_id: str | None = None) -> int:
        """Count acceptances for ``role`` (in one step, or in the whole run: then responders
        carried over from a replaced run and not yet adopted count too)."""
        count = sum(a.role == role and step_id in (None, a.step_id) for a in self.acceptances)
        if step_id is None:
            count += sum(c.role == role for c in self.carried)
        return count

    def arrived(self, role: Role) -> int:
        """Count distinct responders of ``role`` on scene."""
        return len({a.responder_id for a in self.arrivals if a.role == role})

    def search(self, step: AlertStep, want: RoleQuorum) -> Search:
        """Return the current search parameters for one role of an alert step."""
        for found in self.searches:
            if found.step_id == step.id and found.role == want.role:
                return found
        k = want.k if want.k is not None else step.k
        return Search(step_id=step.id, role=want.role, radius_m=step.radius_m, k=k)

    def short_roles(self, step: AnyStep) -> Iterator[Role]:
        """Yield the roles that keep ``step`` from completing, in playbook order."""
        if isinstance(step, AlertStep):
            yield from (w.role for w in step.roles if self.accepted(w.role, step.id) < w.quorum)
        elif isinstance(step, WaitStep) and step.until == "arrivals":
            yield from (w.role for w in step.roles if self.arrived(w.role) < w.quorum)
        elif isinstance(step, WaitStep) and step.until == "acceptances":
            yield from (w.role for w in step.roles if self.accepted(w.role) < w.quorum)
        elif isinstance(step, ChecklistStep):
            roles: list[Role] = [
                item.role
                for item in step.items
                if item.required and f"{step.id}.{item.id}" not in self.ticked
            ]
            yield from dict.fromkeys(roles)

    def exclude(self, step_id: str, role: Role) -> tuple[str, ...]:
        """Responders not to offer again: everyone who accepted or is carried over, and who
        refused this role here."""
        ids = {a.responder_id for a in self.acceptances}
        ids.update(c.responder_id for c in self.carried)
        ids.update(r.responder_id for r in self.refusals if (r.step_id, r.role) == (step_id, role))
        return tuple(sorted(ids))
