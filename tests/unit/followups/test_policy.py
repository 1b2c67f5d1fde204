"""The follow-up rule's pure parts: intervals by grade, the next due date, lateness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.followups.policy import FollowUpPolicy, due_sql
from backend.followups.worklist import days_overdue

AT = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
POLICY = FollowUpPolicy()


@pytest.mark.parametrize(("grade", "days"), [(0, 90), (1, 30), (2, 30), (3, 14), (4, 14), (5, 14)])
def test_the_interval_shrinks_as_the_risk_grade_rises(grade: int, days: int) -> None:
    assert POLICY.days_for(grade) == days
    assert POLICY.next_due(AT, grade, "stable") == AT + timedelta(days=days)
    assert POLICY.days_by_grade()[grade] == days


def test_an_unstable_patient_is_seen_again_sooner_whatever_the_grade() -> None:
    assert POLICY.next_due(AT, 0, "unstable") == AT + timedelta(days=14)
    assert POLICY.next_due(AT, 1, "basically_stable") == AT + timedelta(days=30)


def test_a_visitor_may_ask_for_an_earlier_visit_but_never_a_later_one() -> None:
    sooner = AT + timedelta(days=3)
    assert POLICY.next_due(AT, 0, "stable", asked=sooner) == sooner
    later = AT + timedelta(days=200)
    assert POLICY.next_due(AT, 0, "stable", asked=later) == AT + timedelta(days=90)


def test_a_deployment_sets_its_own_figures() -> None:
    policy = FollowUpPolicy(days_low=60, days_mid=20, days_high=7, unstable_days=5)
    assert policy.days_by_grade() == [60, 20, 20, 7, 7, 7]
    assert policy.next_due(AT, 4, "unstable") == AT + timedelta(days=5)


def test_a_visit_is_seriously_late_once_it_is_more_than_a_week_overdue() -> None:
    now = AT + timedelta(days=30)
    assert POLICY.serious_before(now) == now - timedelta(days=7)
    assert FollowUpPolicy(serious_after_days=0).serious_before(now) == now


@pytest.mark.parametrize(
    ("late", "days"),
    [
        (timedelta(hours=1), 0),
        (timedelta(days=2), 2),
        (timedelta(days=2, hours=23), 2),
        (timedelta(0), 0),
        (-timedelta(hours=1), 0),
        (-timedelta(days=2, hours=1), -2),
    ],
)
def test_days_overdue_counts_whole_days_either_way(late: timedelta, days: int) -> None:
    assert days_overdue(AT, AT + late) == days


def test_the_due_date_sql_takes_the_sooner_of_the_asked_date_and_the_grade_interval() -> None:
    sql = due_sql(3, alias="x")
    assert sql.startswith("least(x.follow_up_due_at, coalesce(x.last_follow_up_at")
    assert "($3::int[])[x.risk_grade + 1]" in sql
