"""What an escalate step does to the step that missed its deadline (pure).

Escalation acts on the *source*: the step whose deadline was missed. It widens the search and
raises k for the roles of an alert step still short of their quorum, tells those roles'
supervisors, tells the on-duty leader of the street or district, and raises the incident's
priority. Going back to the source (a new attempt) is the flow's job, not this module's.
"""

from __future__ import annotations

import msgspec

from playbooks.events import NotifyLeader, NotifySupervisor, RaisePriority, WidenSearch
from playbooks.schema import AlertStep, EscalateStep
from playbooks.work import Work

MAX_K = 50


def apply_escalation(work: Work, step: EscalateStep, source: str | None) -> None:
    """Apply ``step``'s actions to the step ``source`` (``None``: notifications only)."""
    target = work.step(source) if source is not None else None
    short = list(work.short_roles(target)) if target is not None else []
    if isinstance(target, AlertStep):
        _widen(work, step, target)
    if step.notify_supervisor:
        for role in short:
            work.effects.append(
                NotifySupervisor(
                    role=role,
                    step_id=source or step.id,
                    reason=f"{role} short of quorum at {source} after a missed deadline",
                )
            )
    if step.notify_leader is not None:
        work.effects.append(
            NotifyLeader(
                level=step.notify_leader,
                step_id=source or step.id,
                reason=f"deadline missed at {source or step.id}",
            )
        )
    if step.raise_priority and work.priority > 1:
        work.priority -= 1
        work.effects.append(RaisePriority(priority=work.priority, step_id=source or step.id))


def _widen(work: Work, step: EscalateStep, target: AlertStep) -> None:
    """Widen radius and raise k for every role of ``target`` still short of its quorum."""
    short = set(work.short_roles(target))
    for want in target.roles:
        if want.role not in short:
            continue
        current = work.search(target, want)
        radius = min(target.max_radius_m, round(current.radius_m * step.radius_factor))
        k = min(MAX_K, current.k + step.k_increase)
        if (radius, k) == (current.radius_m, current.k):
            continue
        widened = msgspec.structs.replace(current, radius_m=radius, k=k)
        work.searches = [
            s for s in work.searches if (s.step_id, s.role) != (target.id, want.role)
        ] + [widened]
        work.effects.append(WidenSearch(step_id=target.id, role=want.role, radius_m=radius, k=k))
