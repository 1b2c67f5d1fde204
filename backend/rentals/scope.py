"""Whose rectifications a caller follows: every department's, or only a department officer's
own (部门账号): fire the fire items, public security the police items, housing the housing items.
The rental houses themselves are shared with every reader ("collect once, share with all")."""

from __future__ import annotations

from typing import get_args

from backend.errors import Forbidden
from backend.rentals.checklist import Department
from backend.security.policy import Permission, only_by_department
from backend.security.principal import Principal

RENTAL_DEPARTMENTS: tuple[Department, ...] = get_args(Department)
# an account's department -> the checklist's department it acts for
_ACTS_FOR: dict[str, Department] = {
    "fire": "fire",
    "public_security": "police",
    "housing": "housing",
}


def departments_followed(principal: Principal) -> tuple[Department, ...]:
    """The checklist departments whose rectifications ``principal`` follows."""
    if not only_by_department(principal.roles, Permission.RENTAL_READ):
        return RENTAL_DEPARTMENTS  # another role reads every department's
    own = _ACTS_FOR.get(principal.department or "")
    return () if own is None else (own,)


def check_department(principal: Principal, department: str) -> None:
    """403 naming ``department`` when the caller does not follow that department's items."""
    if department not in departments_followed(principal):
        raise Forbidden(
            f"the {department} rectifications are another department's",
            field="department",
            code="not_your_department",
        )
