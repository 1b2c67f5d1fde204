"""Masking of personal fields on the server, by policy: data, not code paths.

:data:`FIELD_POLICY` says, per resource and field, what each role sees: ``full``, ``masked`` or
``hidden``. A user with several roles sees the most open of them. ``need_to_know`` is the extra
view of a responder who has accepted an incident about the patient (while it lasts).
"""

from __future__ import annotations

from enum import IntEnum

from backend.security.policy import Role


class Visibility(IntEnum):
    """How much of a field is shown; ordered so that max() is the most open."""

    HIDDEN = 0
    MASKED = 1
    FULL = 2


H, M, F = Visibility.HIDDEN, Visibility.MASKED, Visibility.FULL

# Pseudo-role for the need-to-know view of an assigned, accepted responder.
NEED_TO_KNOW = "need_to_know"

PERSON_FIELDS = ("name", "id_number", "phone", "address", "birth_year", "gender", "tags")
PATIENT_FIELDS = (
    "risk_grade",
    "diagnosis",
    "guardian_name",
    "guardian_phone",
    "de_escalation_notes",
    "medication",
    "care_team",
)

# role → field → visibility. Roles not listed see nothing (and lack the permission anyway).
FIELD_POLICY: dict[str, dict[str, dict[str, Visibility]]] = {
    "person": {
        Role.DISTRICT_LEADER: dict(
            name=M, id_number=M, phone=M, address=M, birth_year=F, gender=F, tags=F
        ),
        Role.STREET_LEADER: dict(
            name=M, id_number=M, phone=M, address=M, birth_year=F, gender=F, tags=F
        ),
        Role.COMMUNITY_LEADER: dict(
            name=M, id_number=M, phone=M, address=F, birth_year=F, gender=F, tags=F
        ),
        Role.OPERATOR: dict(
            name=M, id_number=H, phone=M, address=F, birth_year=F, gender=F, tags=F
        ),
        Role.CASE_WORKER: dict(
            name=F, id_number=M, phone=F, address=F, birth_year=F, gender=F, tags=F
        ),
        Role.COUNSELLOR: dict(
            name=F, id_number=M, phone=M, address=F, birth_year=F, gender=F, tags=F
        ),
        # a grid worker finds a dispute's party by the ID card in hand: the name to confirm who
        # it is, never the group tags (a key person shows only as the party's key reasons)
        Role.GRID_WORKER: dict(
            name=F, id_number=M, phone=M, address=F, birth_year=F, gender=F, tags=H
        ),
        NEED_TO_KNOW: dict(name=F, id_number=H, phone=H, address=F, birth_year=F, gender=F, tags=H),
    },
    "patient": {
        Role.DISTRICT_LEADER: dict(
            risk_grade=F,
            diagnosis=H,
            guardian_name=M,
            guardian_phone=M,
            de_escalation_notes=H,
            medication=H,
            care_team=F,
        ),
        Role.STREET_LEADER: dict(
            risk_grade=F,
            diagnosis=H,
            guardian_name=M,
            guardian_phone=M,
            de_escalation_notes=H,
            medication=H,
            care_team=F,
        ),
        Role.COMMUNITY_LEADER: dict(
            risk_grade=F,
            diagnosis=H,
            guardian_name=M,
            guardian_phone=M,
            de_escalation_notes=F,
            medication=H,
            care_team=F,
        ),
        Role.OPERATOR: dict(
            risk_grade=F,
            diagnosis=H,
            guardian_name=M,
            guardian_phone=M,
            de_escalation_notes=F,
            medication=H,
            care_team=F,
        ),
        Role.CASE_WORKER: dict(
            risk_grade=F,
            diagnosis=F,
            guardian_name=F,
            guardian_phone=F,
            de_escalation_notes=F,
            medication=F,
            care_team=F,
        ),
        NEED_TO_KNOW: dict(
            risk_grade=F,
            diagnosis=H,
            guardian_name=F,
            guardian_phone=F,
            de_escalation_notes=F,
            medication=F,
            care_team=F,
        ),
    },
}


def visibility(resource: str, field: str, roles: frozenset[str]) -> Visibility:
    """The most open visibility any of ``roles`` has on ``resource.field``."""
    policy = FIELD_POLICY[resource]
    return max((policy.get(role, {}).get(field, H) for role in roles), default=H)


def mask_name(name: str) -> str:
    """Keep the first character: ``张三丰`` → ``张**``."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else name


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4: ``440310********1234``."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4: ``138****5678``."""
    digits = value.replace(" ", "").replace("-", "")
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_address(text: str) -> str:
    """Cut to the community: everything up to and including ``社区``, else the first half."""
    cut = text.find("社区")
    if cut >= 0:
        return text[: cut + 2]
    return text[: max(1, len(text) // 2)] + "…"


MASKERS = {
    "name": mask_name,
    "guardian_name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "guardian_phone": mask_phone,
    "address": mask_address,
}


def apply(resource: str, field: str, value: object, roles: frozenset[str]) -> object:
    """``value`` as ``roles`` may see it: itself, masked, or None."""
    if value is None:
        return None
    seen = visibility(resource, field, roles)
    if seen is Visibility.FULL:
        return value
    if seen is Visibility.MASKED:
        masker = MASKERS.get(field)
        # A field without a masking rule is never shown half: masked means hidden for it.
        return masker(str(value)) if masker else None
    return None


def apply_text(resource: str, field: str, value: object, roles: frozenset[str]) -> str | None:
    """:func:`apply` for a field shown as text (a name, an address): the text or None."""
    out = apply(resource, field, value, roles)
    return None if out is None else str(out)
