"""Whose warnings a caller may see: one answer for ``GET /api/warnings``, taking one in hand, and
the ``warnings`` socket topic.

Those who read patient records see every rule (the command centre, the leaders, case workers).
Everyone else sees the rules of the work they do: a counsellor the psychological crises, a grid
worker the rental houses and disputes, and so on; a warning names its subject by id only.
"""

from __future__ import annotations

from backend.early_warning.models import (
    DISPUTE_HIGH_RISK,
    DISPUTE_OVERDUE,
    LEDGER_CHECK_OVERDUE,
    PSYCH_CRISIS,
    RENTAL_HAZARD_OVERDUE,
    RENTAL_INSPECTION_OVERDUE,
)
from backend.ledgers.groups import GROUPS
from backend.ledgers.scope import groups_kept
from backend.rentals.scope import RENTAL_DEPARTMENTS, departments_followed
from backend.security.policy import Permission
from backend.security.principal import Principal

RULES_BY_PERMISSION: dict[Permission, frozenset[str]] = {
    Permission.PSYCH_RECORD: frozenset({PSYCH_CRISIS}),
    Permission.LEDGER_READ: frozenset({LEDGER_CHECK_OVERDUE}),
    Permission.RENTAL_READ: frozenset({RENTAL_INSPECTION_OVERDUE, RENTAL_HAZARD_OVERDUE}),
    Permission.DISPUTE_READ: frozenset({DISPUTE_HIGH_RISK, DISPUTE_OVERDUE}),
}
# any of these lets a caller list warnings (of the rules it opens)
READERS: tuple[Permission, ...] = (Permission.PATIENT_READ, *RULES_BY_PERMISSION)


def visible_rules(principal: Principal) -> frozenset[str] | None:
    """None: every rule; else the rules the caller's work opens (perhaps none)."""
    if principal.can(Permission.PATIENT_READ):
        return None
    out: frozenset[str] = frozenset()
    for permission, rules in RULES_BY_PERMISSION.items():
        if principal.can(permission):
            out |= rules
    # a department officer's work is narrowed to its department, but a rule's warnings are not
    # (they name every group's entries, every department's items, every house's inspection):
    # closed to it, its lists' overdue filters show its own
    if groups_kept(principal) != GROUPS:
        out -= {LEDGER_CHECK_OVERDUE}
    if departments_followed(principal) != RENTAL_DEPARTMENTS:
        out -= {RENTAL_INSPECTION_OVERDUE, RENTAL_HAZARD_OVERDUE}
    return out
