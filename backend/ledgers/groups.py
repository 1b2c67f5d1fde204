"""The groups a ledger keeps, the department that keeps each, and how often each is checked.

The group names are the person tags of the block data (``persons.tags``), so a ledger and the one
map's ``groups`` layer speak of the same people. Intervals follow the usual practice of the
departments: people under community correction report in weekly, people in drug rehabilitation
and those released from prison are seen monthly, the elderly living alone and left-behind
children monthly, the others each quarter or half-year.
"""

from __future__ import annotations

from typing import Literal, get_args

import msgspec

from backend.security.policy import Department

Group = Literal[
    "low_income",
    "disabled",
    "elderly_alone",
    "left_behind_child",
    "veteran",
    "released_prisoner",
    "community_correction",
    "drug_rehab",
]


class GroupPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How one group's ledger is kept."""

    department: Department
    check_days: int  # a check is due this many days after the last
    strict: bool  # an overdue check is serious at once (supervision the law requires)


POLICIES: dict[str, GroupPolicy] = {
    "low_income": GroupPolicy(department="civil_affairs", check_days=90, strict=False),
    "disabled": GroupPolicy(department="disability_federation", check_days=90, strict=False),
    "elderly_alone": GroupPolicy(department="civil_affairs", check_days=30, strict=False),
    "left_behind_child": GroupPolicy(department="civil_affairs", check_days=30, strict=False),
    "veteran": GroupPolicy(department="veterans_affairs", check_days=180, strict=False),
    "released_prisoner": GroupPolicy(department="justice", check_days=30, strict=False),
    "community_correction": GroupPolicy(department="justice", check_days=7, strict=True),
    "drug_rehab": GroupPolicy(department="public_security", check_days=30, strict=True),
}
GROUPS: tuple[Group, ...] = get_args(Group)
SERIOUS_AFTER_DAYS = 14  # a check this late is serious for any group
