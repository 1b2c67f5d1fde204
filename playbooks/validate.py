"""Semantic checks on a decoded playbook: the things a type cannot say.

Each check returns ``(path, reason)`` pairs; the loader adds the file name. Paths use the same
shape as decoding errors (``steps[3].deadline``) so an author finds both kinds the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

from playbooks.durations import parse_duration
from playbooks.schema import (
    AlertStep,
    AnyStep,
    BranchStep,
    ChecklistStep,
    CloseStep,
    EscalateStep,
    Playbook,
    WaitStep,
    timeouts_of,
)

Finding = tuple[str, str]


def check_playbook(playbook: Playbook) -> list[Finding]:
    """Return every semantic problem in ``playbook`` as ``(path, reason)``, in file order."""
    findings = list(_check_ids(playbook))
    if findings:
        # Graph checks on a playbook with duplicate ids would report confusing follow-ups.
        return findings
    findings.extend(_check_triggers(playbook))
    items = playbook.checklist_items()
    for index, step in enumerate(playbook.steps):
        findings.extend(_check_step(playbook, index, step, set(items)))
    if not findings:
        findings.extend(_check_graph(playbook))
    return findings


def _check_ids(playbook: Playbook) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, step in enumerate(playbook.steps):
        if step.id in seen:
            yield (
                f"steps[{index}].id",
                (f"duplicate step id {step.id!r} (first used at steps[{seen[step.id]}])"),
            )
        seen.setdefault(step.id, index)
        if isinstance(step, ChecklistStep):
            item_ids: set[str] = set()
            for j, item in enumerate(step.items):
                if item.id in item_ids:
                    yield f"steps[{index}].items[{j}].id", f"duplicate item id {item.id!r}"
                item_ids.add(item.id)


def _check_triggers(playbook: Playbook) -> Iterator[Finding]:
    span = playbook.triggers.risk_grade
    if span.min > span.max:
        yield "triggers.risk_grade", f"min {span.min} is greater than max {span.max}"


def _check_step(
    playbook: Playbook, index: int, step: AnyStep, items: set[str]
) -> Iterator[Finding]:
    here = f"steps[{index}]"
    ids = {s.id for s in playbook.steps}
    for name, target in _references(step):
        if target not in ids:
            yield f"{here}.{name}", f"unknown step {target!r}"
    deadline = getattr(step, "deadline", None)
    if isinstance(deadline, str) and parse_duration(deadline) <= 0:
        yield f"{here}.deadline", "a deadline must be longer than zero"
    if isinstance(step, AlertStep):
        yield from _check_alert(here, step)
    elif isinstance(step, WaitStep):
        yield from _check_wait(here, step, items)
    elif isinstance(step, BranchStep):
        yield from _check_branch(here, step)
    elif isinstance(step, CloseStep):
        for j, ref in enumerate(step.require_items):
            if ref not in items:
                yield f"{here}.require_items[{j}]", f"unknown checklist item {ref!r}"
    if playbook.next_of(step) is None and not isinstance(step, EscalateStep | CloseStep):
        yield here, "the last step must be a close step or name its next step"


def _check_alert(here: str, step: AlertStep) -> Iterator[Finding]:
    roles: set[str] = set()
    for j, want in enumerate(step.roles):
        k = want.k if want.k is not None else step.k
        if want.quorum > k:
            yield (
                f"{here}.roles[{j}].quorum",
                (
                    f"quorum {want.quorum} for {want.role} is larger than k {k} "
                    "(the number of candidates alerted at once)"
                ),
            )
        if want.role in roles:
            yield f"{here}.roles[{j}].role", f"role {want.role} is listed twice"
        roles.add(want.role)
    if step.radius_m > step.max_radius_m:
        yield (
            f"{here}.radius_m",
            f"radius {step.radius_m} m exceeds max_radius_m {step.max_radius_m}",
        )
    if step.no_lone_responder and sum(w.quorum for w in step.roles) < 2:
        yield f"{here}.no_lone_responder", "needs a total quorum of at least 2 responders"


def _check_wait(here: str, step: WaitStep, items: set[str]) -> Iterator[Finding]:
    if step.until == "checklist_item":
        if step.item is None:
            yield f"{here}.item", "waiting for a checklist item needs `item: <step>.<item>`"
        elif step.item not in items:
            yield f"{here}.item", f"unknown checklist item {step.item!r}"
        if step.roles:
            yield f"{here}.roles", "roles are not used when waiting for a checklist item"
    else:
        if not step.roles:
            yield f"{here}.roles", f"waiting for {step.until} needs at least one role"
        if step.item is not None:
            yield f"{here}.item", f"an item is not used when waiting for {step.until}"


def _check_branch(here: str, step: BranchStep) -> Iterator[Finding]:
    if step.parallel:
        if step.when is not None or step.then is not None or step.otherwise is not None:
            yield here, "a branch is either a condition (when/then) or a fork (parallel/join)"
        if len(step.parallel) < 2:
            yield f"{here}.parallel", "a fork needs at least two branches"
        if step.join is None:
            yield f"{here}.join", "a fork needs `join`: the step where its branches meet"
        elif step.join in step.parallel:
            yield f"{here}.join", "the join step cannot also be a branch of the fork"
    else:
        if step.when is None or step.then is None:
            yield here, "a conditional branch needs `when` and `then`"
        if step.join is not None:
            yield f"{here}.join", "`join` is only used with `parallel`"


def _references(step: AnyStep) -> Iterator[tuple[str, str]]:
    """Yield ``(field path, target step id)`` for every step reference in ``step``."""
    if step.next is not None:
        yield "next", step.next
    for j, target in enumerate(timeouts_of(step)):
        yield f"on_timeout[{j}]", target
    if isinstance(step, BranchStep):
        for name in ("then", "otherwise", "join"):
            target = getattr(step, name)
            if target is not None:
                yield name, target
        for j, target in enumerate(step.parallel):
            yield f"parallel[{j}]", target


def _edges(playbook: Playbook) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Return (immediate edges, timeout edges) of the step graph.

    Immediate edges may be taken within one engine call; timeout edges only when a timer fires.
    An escalate step without ``next`` resumes each step whose ladder names it.
    """
    immediate: dict[str, list[str]] = {s.id: [] for s in playbook.steps}
    timeout: dict[str, list[str]] = {s.id: [] for s in playbook.steps}
    for step in playbook.steps:
        following = playbook.next_of(step)
        if following is not None:
            immediate[step.id].append(following)
        if isinstance(step, BranchStep):
            immediate[step.id].extend(t for t in (step.then, step.otherwise) if t is not None)
            immediate[step.id].extend(step.parallel)
        for target in timeouts_of(step):
            timeout[step.id].append(target)
            escalation = playbook.find_step(target)
            if isinstance(escalation, EscalateStep) and escalation.next is None:
                immediate[target].append(step.id)
    return immediate, timeout


def _check_graph(playbook: Playbook) -> Iterator[Finding]:
    index = {s.id: i for i, s in enumerate(playbook.steps)}
    immediate, timeout = _edges(playbook)
    yield from _check_resumes(playbook, index, timeout)
    reached = _reachable(playbook.steps[0].id, immediate, timeout)
    for step in playbook.steps:
        if step.id not in reached:
            yield f"steps[{index[step.id]}]", f"step {step.id!r} is unreachable from the first step"
    if not any(isinstance(s, CloseStep) for s in playbook.steps if s.id in reached):
        yield "steps", "no reachable close step: every playbook must end in a close step"
    for step in playbook.steps:
        if isinstance(step, BranchStep) and step.join is not None:
            for j, start in enumerate(step.parallel):
                if step.join not in _reachable(start, immediate, timeout):
                    yield (
                        f"steps[{index[step.id]}].parallel[{j}]",
                        (f"branch {start!r} never reaches the join step {step.join!r}"),
                    )
    cycle = _find_cycle(playbook, immediate)
    if cycle:
        yield (
            f"steps[{index[cycle[0]]}]",
            (
                "cycle without a deadline: "
                + " → ".join([*cycle, cycle[0]])
                + " (route the loop through an on_timeout escalation)"
            ),
        )


def _check_resumes(
    playbook: Playbook, index: dict[str, int], timeout: dict[str, list[str]]
) -> Iterator[Finding]:
    """An escalate step without ``next`` must be reached only through ``on_timeout``."""
    escalated = {t for targets in timeout.values() for t in targets}
    for step in playbook.steps:
        if not isinstance(step, EscalateStep) or step.next is not None:
            continue
        plain = [
            s.id
            for s in playbook.steps
            for name, target in _references(s)
            if target == step.id and not name.startswith("on_timeout")
        ]
        if step.id == playbook.steps[0].id or plain or step.id not in escalated:
            yield (
                f"steps[{index[step.id]}]",
                (
                    f"escalate step {step.id!r} has no `next`, so it must be reached only through "
                    "on_timeout (it resumes the step that missed its deadline)"
                ),
            )


def _reachable(start: str, *graphs: dict[str, list[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        here = todo.pop()
        for graph in graphs:
            for there in graph.get(here, ()):
                if there not in seen:
                    seen.add(there)
                    todo.append(there)
    return seen


def _find_cycle(playbook: Playbook, graph: dict[str, list[str]]) -> list[str]:
    """Return one cycle of ``graph`` (as step ids, in order) or an empty list."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for there in graph[node]:
            if state.get(there) == 1:
                return path[path.index(there) :]
            if there not in state and (found := visit(there)):
                return found
        state[node] = 2
        path.pop()
        return []

    for step in playbook.steps:
        if step.id not in state and (found := visit(step.id)):
            return found
    return []
