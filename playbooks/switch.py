"""Replacing the playbook of a running incident with another one (pure).

An incident opened from a neighbour's call runs the playbook its kind chose; once the subject
is identified as a high-risk patient, or the patient must go to hospital, the operator may run
another playbook instead. :func:`switch_run` ends the old run and starts the new one from its
first step, in one step of state:

* the old run's timers are cancelled and its open offers withdrawn;
* the responders still working (the caller says who: the engine does not know who has left the
  scene) are carried over, and the new run's alert steps adopt them before paging anyone new;
* on-scene arrivals of those responders, the record sheet, outcome and hand-over carry over: they
  are facts about the incident, not about a step;
* ticks and refusals do not: they name the old playbook's steps;
* the priority never drops: the more urgent of the incident's and the new playbook's.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from playbooks.engine import step
from playbooks.errors import EngineError
from playbooks.events import AppendEvent, CancelTimer, Effect, IncidentOpened, WithdrawOffers
from playbooks.schema import AlertStep, Playbook, Role
from playbooks.state import Carried, RunState, new_run


def switch_run(
    state: RunState,
    playbook: Playbook,
    run_id: str,
    working: Iterable[tuple[Role, str]],
    now: float,
) -> tuple[RunState, tuple[Effect, ...]]:
    """End ``state``'s run and start ``playbook`` in its place as run ``run_id``.

    ``working`` lists (role, responder id) of every responder still on the incident (accepted,
    on the way or on scene). ``run_id`` must differ from every earlier run of the incident:
    timer ids are built from it. Returns the new state and the effects, old run's first.
    """
    if state.status != "running" or state.context is None:
        raise EngineError(f"run {state.run_id} is {state.status}: only a running run is replaced")
    if run_id == state.run_id:
        raise EngineError(f"the new run needs an id of its own, not {run_id!r}")
    effects: list[Effect] = []
    for timer in state.timers:  # as when a run ends: each deadline says it was cancelled
        effects.append(CancelTimer(timer_id=timer.timer_id))
        effects.append(
            AppendEvent(
                kind="deadline_cancelled",
                payload={
                    "step_id": timer.step_id,
                    "attempt": timer.attempt,
                    "timer_id": timer.timer_id,
                    "due_at": timer.due_at,
                },
            )
        )
    for old in state.playbook.steps:
        if isinstance(old, AlertStep) and old.id in state.attempts:
            effects += [WithdrawOffers(step_id=old.id, role=want.role) for want in old.roles]
    accepted_at = {a.responder_id: a.at for a in state.acceptances}
    accepted_at.update({c.responder_id: c.at for c in state.carried})
    carried: dict[str, Carried] = {}
    for role, responder_id in working:
        at = accepted_at.get(responder_id, now)
        carried.setdefault(responder_id, Carried(role=role, responder_id=responder_id, at=at))
    # earliest acceptance first: the first to commit is the first adopted
    kept = tuple(sorted(carried.values(), key=lambda c: (c.at, c.responder_id)))
    fresh = msgspec.structs.replace(
        new_run(run_id, playbook),
        priority=min(state.priority, playbook.priority),
        carried=kept,
        arrivals=tuple(a for a in state.arrivals if a.responder_id in carried),
        record_sheet_id=state.record_sheet_id,
        record_sheet_at=state.record_sheet_at,
        outcome=state.outcome,
        handover_hospital=state.handover_hospital,
        handover_hospital_id=state.handover_hospital_id,
    )
    # the new run's own log starts with run_started; who switched and why is the caller's record
    opened, started = step(fresh, IncidentOpened(context=state.context), now)
    return opened, (*effects, *started)
