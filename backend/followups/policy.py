"""When a patient's next follow-up is due, and how late is too late: pure rules, no I/O.

The intervals follow the national work standard for severe mental disorders (严重精神障碍管理治疗
工作规范): a stable patient at least every three months, a basically stable one monthly, an
unstable or dangerous one (risk grade 3-5) every two weeks. A deployment sets its own figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec

Condition = Literal["stable", "basically_stable", "unstable"]


class FollowUpPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Follow-up intervals by risk grade, and which overdue patients raise a warning."""

    days_low: int = 90  # risk grade 0
    days_mid: int = 30  # risk grades 1-2
    days_high: int = 14  # risk grades 3-5
    unstable_days: int = 14  # a visit that found the patient unstable asks for the next one sooner
    warn_min_grade: int = 3  # "high-risk": overdue patients of this grade or above raise a warning
    serious_after_days: int = 7  # overdue this long and the warning becomes serious

    def days_for(self, grade: int) -> int:
        """The longest gap allowed between two visits of a patient of this risk grade."""
        if grade >= 3:
            return self.days_high
        return self.days_mid if grade >= 1 else self.days_low

    def days_by_grade(self) -> list[int]:
        """``days_for`` of grades 0-5, as the SQL of the due date takes them (index = grade)."""
        return [self.days_for(grade) for grade in range(6)]

    def next_due(
        self, at: datetime, grade: int, condition: Condition, asked: datetime | None = None
    ) -> datetime:
        """When the visit made ``at`` asks for the next one: the grade's interval, shorter for an
        unstable patient, sooner still if the visitor asked for an earlier date."""
        days = self.days_for(grade)
        if condition == "unstable":
            days = min(days, self.unstable_days)
        due = at + timedelta(days=days)
        return due if asked is None else min(due, asked)

    def serious_before(self, now: datetime) -> datetime:
        """A follow-up due before this, and still not made at ``now``, is seriously late."""
        return now - timedelta(days=self.serious_after_days)


def due_sql(days_param: int, alias: str = "p") -> str:
    """SQL of a patient row's due date: the date its latest visit asked for, or its last visit
    on record (else the start of its management) plus its grade's interval, whichever is
    sooner. So a grade raised since the last visit brings the date forward at once.
    ``days_param`` is the placeholder number of :meth:`FollowUpPolicy.days_by_grade`."""
    return (
        f"least({alias}.follow_up_due_at, coalesce({alias}.last_follow_up_at, "
        f"{alias}.managed_since::timestamptz, {alias}.updated_at) "
        f"+ make_interval(days => (${days_param}::int[])[{alias}.risk_grade + 1]))"
    )
