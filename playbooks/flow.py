"""Moving a run through its step graph: entering, completing and following steps (pure).

:mod:`playbooks.engine` decides *which* transitions an event causes; the functions here carry
them out on a :class:`~playbooks.work.Work`, collecting effects in order.
"""

from __future__ import annotations

import msgspec

from playbooks.conditions import holds
from playbooks.durations import parse_duration
from playbooks.errors import EngineError
from playbooks.escalation import apply_escalation
from playbooks.events import (
    AdoptResponder,
    AlertRole,
    CancelTimer,
    RequireChecklist,
    StartTimer,
    WithdrawOffers,
)
from playbooks.schema import (
    AlertStep,
    AnyStep,
    BranchStep,
    ChecklistItem,
    ChecklistStep,
    CloseStep,
    EscalateStep,
    Role,
    WaitStep,
)
from playbooks.state import Acceptance, Cursor, Fork, Timer, TimerPurpose
from playbooks.work import Work


def is_satisfied(work: Work, step: AnyStep) -> bool:
    """Return whether a waiting step's completion condition holds now."""
    if isinstance(step, WaitStep) and step.until == "checklist_item":
        return step.item in work.ticked
    if isinstance(step, AlertStep | WaitStep | ChecklistStep):
        return not any(work.short_roles(step))
    return False


def adopt_carried(work: Work, step: AlertStep) -> None:
    """Let responders carried over from a replaced run fill the roles ``step`` alerts, in the
    order they accepted there, before anyone new is paged."""
    for want in step.roles:
        while work.carried and work.accepted(want.role, step.id) < want.quorum:
            carried = next((c for c in work.carried if c.role == want.role), None)
            if carried is None:
                break
            work.carried.remove(carried)
            work.acceptances.append(
                Acceptance(
                    step_id=step.id,
                    role=want.role,
                    responder_id=carried.responder_id,
                    at=carried.at,
                )
            )
            work.effects.append(
                AdoptResponder(step_id=step.id, role=want.role, responder_id=carried.responder_id)
            )
            work.log(
                "responder_carried_over",
                step_id=step.id,
                role=want.role,
                responder_id=carried.responder_id,
            )


def alert_roles(work: Work, step: AlertStep, deadline_at: float | None, reason: str) -> None:
    """Emit an :class:`AlertRole` for every role of ``step`` still short of its quorum."""
    for want in step.roles:
        needed = want.quorum - work.accepted(want.role, step.id)
        if needed <= 0:
            continue
        search = work.search(step, want)
        work.effects.append(
            AlertRole(
                step_id=step.id,
                role=want.role,
                count=needed,
                k=max(search.k, needed),
                radius_m=search.radius_m,
                care_team_first=step.care_team_first,
                no_lone_responder=step.no_lone_responder,
                deadline_at=deadline_at,
                exclude=work.exclude(step.id, want.role),
                reason="initial" if reason == "initial" else "retry",
            )
        )


def go(work: Work, thread: int, fork: int | None, target: str, source: str | None = None) -> None:
    """Move ``thread`` to ``target``, ending the branch if ``target`` is its fork's join."""
    record = next((f for f in work.forks if f.fork == fork), None)
    if record is not None and target == record.join:
        work.forks.remove(record)
        if record.pending > 1:
            work.forks.append(msgspec.structs.replace(record, pending=record.pending - 1))
            work.forks.sort(key=lambda f: f.fork)
            return
        # The last branch to arrive carries the run on from the join.
        fork = record.parent
    enter(work, thread, fork, target, source)


def enter(work: Work, thread: int, fork: int | None, step_id: str, source: str | None) -> None:
    """Start ``step_id`` on ``thread``: send its alerts, start its timer, or pass through."""
    work.budget -= 1
    if work.budget < 0:
        raise EngineError(f"run {work.state.run_id}: too many transitions in one call")
    step = work.step(step_id)
    attempt = work.attempts.get(step_id, 0) + 1
    work.attempts[step_id] = attempt
    work.log("step_started", step_id=step_id, step_type=_type_of(step), attempt=attempt)
    if isinstance(step, EscalateStep):
        _escalate(work, thread, fork, step, source)
        return
    if isinstance(step, BranchStep):
        _branch(work, thread, fork, step)
        return
    cursor = Cursor(thread=thread, step_id=step_id, attempt=attempt, entered_at=work.now, fork=fork)
    work.cursors.append(cursor)
    deadline = _deadline_of(work, step)
    due_at = work.now + parse_duration(deadline) if deadline is not None else None
    if isinstance(step, AlertStep):
        # A non-blocking alert has no step timer, but its offers still carry an accept-by.
        accept_by = work.now + parse_duration(step.deadline)
        adopt_carried(work, step)
        alert_roles(work, step, accept_by, "initial" if attempt == 1 else "retry")
    elif isinstance(step, ChecklistStep):
        _require_checklist(work, step)
    if due_at is not None and not is_satisfied(work, step):
        purpose: TimerPurpose = "record_sheet" if isinstance(step, CloseStep) else "step_deadline"
        timer_id = f"{work.state.run_id}:{step_id}:{attempt}"
        work.timers.append(
            Timer(
                timer_id=timer_id,
                step_id=step_id,
                attempt=attempt,
                thread=thread,
                due_at=due_at,
                purpose=purpose,
            )
        )
        work.effects.append(
            StartTimer(timer_id=timer_id, due_at=due_at, purpose=purpose, step_id=step_id)
        )
    if isinstance(step, AlertStep) and not step.wait:
        complete(work, cursor)
    elif isinstance(step, WaitStep | ChecklistStep) and is_satisfied(work, step):
        # Already done before the run got here (items ticked early, people already on scene).
        complete(work, cursor)
    elif isinstance(step, CloseStep):
        work.log("close_ready", step_id=step_id)


def _deadline_of(work: Work, step: AnyStep) -> str | None:
    if isinstance(step, AlertStep):
        return step.deadline if step.wait else None
    if isinstance(step, CloseStep):
        needed = step.require_record_sheet and work.record_sheet_id is None
        return step.deadline if needed else None
    if isinstance(step, WaitStep | ChecklistStep):
        return step.deadline
    return None


def _require_checklist(work: Work, step: ChecklistStep) -> None:
    by_role: dict[Role, list[ChecklistItem]] = {}
    for item in step.items:
        by_role.setdefault(item.role, []).append(item)
    for role, items in by_role.items():
        work.effects.append(RequireChecklist(step_id=step.id, role=role, items=tuple(items)))


def _branch(work: Work, thread: int, fork: int | None, step: BranchStep) -> None:
    if step.parallel:
        assert step.join is not None  # checked by validation
        fork_id = work.next_fork
        work.next_fork += 1
        work.forks.append(
            Fork(fork=fork_id, join=step.join, pending=len(step.parallel), parent=fork)
        )
        work.log("fork_started", step_id=step.id, branches=len(step.parallel))
        for index, start in enumerate(step.parallel):
            branch_thread = thread if index == 0 else work.new_thread()
            enter(work, branch_thread, fork_id, start, None)
        return
    # Both are guaranteed by validation; the asserts narrow the types.
    assert step.when is not None
    assert step.then is not None
    taken = holds(step.when, work.context)
    target = step.then if taken else (step.otherwise or work.playbook.next_of(step))
    if target is None:
        raise EngineError(f"run {work.state.run_id}: branch {step.id!r} has nowhere to go")
    work.log("branch_taken", step_id=step.id, condition=taken, target=target)
    go(work, thread, fork, target)


def _escalate(
    work: Work, thread: int, fork: int | None, step: EscalateStep, source: str | None
) -> None:
    apply_escalation(work, step, source)
    target = step.next or source
    if target is None:
        raise EngineError(f"run {work.state.run_id}: escalate {step.id!r} reached without timeout")
    go(work, thread, fork, target, None)


def complete(work: Work, cursor: Cursor, deadline: str = "deadline_met") -> None:
    """Finish the step under ``cursor`` and move its thread on; ``deadline`` is how its timer's
    end is logged (``deadline_cancelled`` when the step was waived, not satisfied)."""
    step = work.step(cursor.step_id)
    work.cursors.remove(cursor)
    end_deadline(work, cursor, deadline)
    work.log("step_completed", step_id=step.id, attempt=cursor.attempt)
    target = work.playbook.next_of(step)
    if target is None:
        raise EngineError(f"run {work.state.run_id}: step {step.id!r} has no next step")
    go(work, cursor.thread, cursor.fork, target)


def end_deadline(work: Work, cursor: Cursor, how: str) -> None:
    """Cancel the timer of ``cursor``'s step attempt, if any, logging it as ``how``."""
    timer = cancel_timer_of(work, cursor)
    if timer is not None:
        work.log(
            how,
            step_id=timer.step_id,
            attempt=timer.attempt,
            timer_id=timer.timer_id,
            due_at=timer.due_at,
        )


def cancel_timer_of(work: Work, cursor: Cursor) -> Timer | None:
    """Cancel the timer of ``cursor``'s step attempt, if it has one, and return it."""
    for timer in work.timers:
        if (timer.thread, timer.step_id, timer.attempt) == (
            cursor.thread,
            cursor.step_id,
            cursor.attempt,
        ):
            work.timers.remove(timer)
            work.effects.append(CancelTimer(timer_id=timer.timer_id))
            return timer
    return None


def withdraw_open_offers(work: Work, step: AnyStep) -> None:
    """Withdraw the offers of an alert step that is being left short of its quorum."""
    if isinstance(step, AlertStep):
        for role in work.short_roles(step):
            work.effects.append(WithdrawOffers(step_id=step.id, role=role))


def settle(work: Work) -> None:
    """Complete every waiting step whose condition holds, until nothing changes."""
    progressed = True
    while progressed:
        progressed = False
        for cursor in list(work.cursors):
            if is_satisfied(work, work.step(cursor.step_id)):
                complete(work, cursor)
                progressed = True
                break


def _type_of(step: AnyStep) -> str:
    return str(type(step).__struct_config__.tag)
