"""Evaluate conditions and playbook triggers against an incident context (pure)."""

from __future__ import annotations

from playbooks.schema import Condition, IncidentContext, Triggers


def holds(condition: Condition, context: IncidentContext) -> bool:
    """Return whether every constraint set in ``condition`` holds for ``context``.

    A risk-grade constraint never holds when the grade is unknown: the safe reading of "grade
    at least 3" for a patient we know nothing about is "we cannot say so", and playbooks branch
    on the explicit ``violent`` flag for that case.
    """
    grade = context.risk_grade
    if condition.risk_grade_at_least is not None and (
        grade is None or grade < condition.risk_grade_at_least
    ):
        return False
    if condition.risk_grade_at_most is not None and (
        grade is None or grade > condition.risk_grade_at_most
    ):
        return False
    if condition.violent is not None and context.violent != condition.violent:
        return False
    if condition.has_care_team is not None and context.has_care_team != condition.has_care_team:
        return False
    present = set(context.flags)
    return all(f in present for f in condition.flags) and not any(
        f in present for f in condition.without_flags
    )


def triggers_match(triggers: Triggers, context: IncidentContext) -> bool:
    """Return whether a playbook with ``triggers`` applies to the incident in ``context``.

    An unknown risk grade matches only a playbook that accepts every grade (0-5).
    """
    if context.kind not in triggers.kinds:
        return False
    grade = context.risk_grade
    span = triggers.risk_grade
    if grade is None:
        if (span.min, span.max) != (0, 5):
            return False
    elif not span.min <= grade <= span.max:
        return False
    return triggers.when is None or holds(triggers.when, context)


def constraint_count(condition: Condition) -> int:
    """Count the constraints a condition sets (its specificity)."""
    scalars = (
        condition.risk_grade_at_least,
        condition.risk_grade_at_most,
        condition.violent,
        condition.has_care_team,
    )
    return sum(v is not None for v in scalars) + len(condition.flags) + len(condition.without_flags)


def specificity(triggers: Triggers) -> tuple[int, int, int]:
    """Rank triggers: more conditions, then a narrower grade range, then fewer kinds win."""
    conditions = constraint_count(triggers.when) if triggers.when is not None else 0
    width = triggers.risk_grade.max - triggers.risk_grade.min
    return (conditions, -width, -len(triggers.kinds))
