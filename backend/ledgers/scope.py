"""Which groups' ledgers a caller keeps: every group, or only their department's (部门账号).

A case worker, a leader and the district keep every group's ledger in their jurisdiction; a
department officer keeps the groups of their department alone (the justice office community
correction and released prisoners, civil affairs the low-income, elderly and children, …). The
same rule narrows every list, figure, entry and write, so a department never reads another's.
"""

from __future__ import annotations

from backend.errors import Forbidden
from backend.ledgers.groups import GROUPS, POLICIES, Group
from backend.security.policy import Permission, only_by_department
from backend.security.principal import Principal


def groups_kept(principal: Principal) -> tuple[Group, ...]:
    """The groups whose ledgers ``principal`` keeps (every group unless only a department's)."""
    if not only_by_department(principal.roles, Permission.LEDGER_READ):
        return GROUPS  # another role reads every group
    return tuple(g for g in GROUPS if POLICIES[g].department == principal.department)


def check_group(principal: Principal, group: str, *, field: str = "group") -> None:
    """403 naming ``field`` when ``group`` is not one the caller keeps."""
    if group not in groups_kept(principal):
        raise Forbidden(
            f"the {group} ledger is kept by {POLICIES[group].department}, not by your department",
            field=field,
            code="not_your_group",
        )
