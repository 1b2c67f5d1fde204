"""Which groups' ledgers a caller keeps: the rule every list, entry and write goes by."""

from __future__ import annotations

import pytest

from backend.errors import Forbidden
from backend.ledgers.groups import GROUPS, POLICIES
from backend.ledgers.scope import check_group, groups_kept
from backend.security.policy import DEPARTMENTS, Role, permissions_for
from backend.security.principal import Principal


def principal(*roles: Role, department: str | None = None) -> Principal:
    return Principal(
        user_id="u",
        username="u",
        display_name="U",
        roles=frozenset(roles),
        permissions=permissions_for(roles),
        capabilities=frozenset(),
        org_path="440310",
        session_id="s",
        expires_at=0.0,
        department=department,
    )


def test_every_ledger_department_keeps_some_group_and_every_group_has_its_department() -> None:
    keeping = {p.department for p in POLICIES.values()}
    assert keeping <= set(DEPARTMENTS)
    kept = {
        g
        for d in DEPARTMENTS
        for g in groups_kept(principal(Role.DEPARTMENT_OFFICER, department=d))
    }
    assert kept == set(GROUPS)
    for department in DEPARTMENTS:
        mine = groups_kept(principal(Role.DEPARTMENT_OFFICER, department=department))
        assert all(POLICIES[g].department == department for g in mine)
        assert bool(mine) == (department in keeping)  # fire and housing keep no ledger


def test_a_department_officer_keeps_its_groups_and_anyone_else_every_group() -> None:
    justice = principal(Role.DEPARTMENT_OFFICER, department="justice")
    assert groups_kept(justice) == ("released_prisoner", "community_correction")
    check_group(justice, "community_correction")
    with pytest.raises(Forbidden) as refused:
        check_group(justice, "drug_rehab")
    assert (refused.value.field, refused.value.code) == ("group", "not_your_group")
    for role in (Role.CASE_WORKER, Role.STREET_LEADER, Role.DISTRICT_LEADER):
        assert groups_kept(principal(role)) == GROUPS
    # a second role that reads every ledger is not narrowed by the department
    both = principal(Role.DEPARTMENT_OFFICER, Role.CASE_WORKER, department="justice")
    assert groups_kept(both) == GROUPS
