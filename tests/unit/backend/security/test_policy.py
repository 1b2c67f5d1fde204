"""The permission table is complete and menus follow it."""

from __future__ import annotations

from backend.security.policy import (
    DEPARTMENT_PERMISSIONS,
    DEPARTMENTS,
    MENU_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    menus_for,
    only_by_department,
    permissions_for,
)


def test_every_role_has_permissions_and_every_permission_a_role() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert set(DEPARTMENT_PERMISSIONS) == set(DEPARTMENTS)
    granted = set().union(*ROLE_PERMISSIONS.values(), *DEPARTMENT_PERMISSIONS.values())
    assert granted == set(Permission)


def test_menus() -> None:
    assert menus_for(permissions_for([Role.RESPONDER])) == ["responder"]
    assert menus_for(permissions_for([Role.DISTRICT_LEADER])) == [
        "wall",
        "leader",
        "psych",
        "ledgers",
        "rentals",
        "disputes",
    ]
    assert menus_for(permissions_for([Role.OPERATOR, Role.AUDITOR])) == ["wall", "console", "audit"]
    assert menus_for(permissions_for([Role.CASE_WORKER])) == [
        "wall",
        "casework",
        "ledgers",
        "disputes",
    ]
    assert menus_for(permissions_for([Role.GRID_WORKER])) == ["rentals", "disputes"]
    officer = [Role.DEPARTMENT_OFFICER]
    assert menus_for(permissions_for(officer)) == []  # nothing without its department
    assert menus_for(permissions_for(officer, "justice")) == ["ledgers"]
    assert menus_for(permissions_for(officer, "fire")) == ["rentals"]
    assert menus_for(permissions_for(officer, "public_security")) == ["ledgers", "rentals"]
    assert menus_for(permissions_for([Role.CASE_WORKER], "fire")) == menus_for(
        permissions_for([Role.CASE_WORKER])
    )  # a department counts only for a department officer
    assert permissions_for(officer, "no_such_department") == frozenset()  # an old token: nothing


def test_work_is_narrowed_to_a_department_only_when_no_other_role_opens_it() -> None:
    officer = frozenset({Role.DEPARTMENT_OFFICER})
    assert only_by_department(officer, Permission.LEDGER_READ)
    assert only_by_department(officer, Permission.RENTAL_READ)
    assert not only_by_department(officer | {Role.CASE_WORKER}, Permission.LEDGER_READ)
    assert not only_by_department(frozenset({Role.STREET_LEADER}), Permission.RENTAL_READ)
    assert menus_for(permissions_for([Role.COUNSELLOR])) == ["psych"]
    assert set(MENU_PERMISSIONS) == {
        "wall",
        "console",
        "leader",
        "responder",
        "casework",
        "psych",
        "ledgers",
        "rentals",
        "disputes",
        "audit",
        "admin",
    }


def test_auditors_and_gateways_cannot_read_people() -> None:
    for role in (Role.AUDITOR, Role.GATEWAY, Role.ADMIN, Role.RESPONDER):
        perms = permissions_for([role])
        assert Permission.PERSON_READ not in perms
        assert Permission.PATIENT_READ not in perms


def test_whoever_reads_people_may_look_one_up_and_a_grid_worker_only_that() -> None:
    for role in Role:
        perms = permissions_for([role])
        if Permission.PERSON_READ in perms:
            assert Permission.PERSON_LOOKUP in perms, role
    grid = permissions_for([Role.GRID_WORKER])
    assert Permission.PERSON_LOOKUP in grid
    assert Permission.PERSON_READ not in grid
    assert Permission.PATIENT_READ not in grid
