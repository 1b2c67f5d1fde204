"""Persons and patients as they cross the API: inputs validated, outputs already masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from backend.validation import SAFE_TEXT

IdNumber = Annotated[str, Meta(pattern=r"^[0-9]{17}[0-9Xx]$")]
Phone = Annotated[str, Meta(pattern=r"^\+?[0-9 -]{7,20}$")]
RiskGrade = Annotated[int, Meta(ge=0, le=5)]
CareRole = Literal[
    "family",
    "community_doctor",
    "psychiatrist",
    "police",
    "community_staff",
    "social_worker",
    "civil_affairs",
    "disability_federation",
    "grid_worker",
]


class PersonCreate(msgspec.Struct, frozen=True, kw_only=True):
    """A person of the block data, linked to a unified address."""

    name: Annotated[str, Meta(min_length=1, max_length=100, pattern=SAFE_TEXT)]
    address_id: Annotated[str, Meta(min_length=1, max_length=64)]
    id_number: IdNumber | None = None
    phone: Phone | None = None
    gender: Literal["male", "female", "unknown"] | None = None
    birth_year: Annotated[int, Meta(ge=1900, le=2100)] | None = None
    tags: Annotated[list[Annotated[str, Meta(max_length=40)]], Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    external_id: Annotated[str, Meta(max_length=64)] | None = None


class PatientCreate(msgspec.Struct, frozen=True, kw_only=True):
    """Registration of a person as a patient under management."""

    risk_grade: RiskGrade
    diagnosis: Annotated[str, Meta(max_length=200, pattern=SAFE_TEXT)] | None = None
    guardian_name: Annotated[str, Meta(max_length=100, pattern=SAFE_TEXT)] | None = None
    guardian_phone: Phone | None = None
    de_escalation_notes: Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)] | None = None
    medication: Annotated[str, Meta(max_length=500, pattern=SAFE_TEXT)] | None = None
    managed_since: date | None = None


class CareTeamMember(msgspec.Struct, frozen=True, kw_only=True):
    """One member of a patient's care team."""

    user_id: str
    display_name: str
    role: CareRole
    is_primary: bool


class PersonView(msgspec.Struct, frozen=True, kw_only=True):
    """A person as the caller may see it; masked or hidden fields are masked strings or null."""

    id: str
    org_path: str
    address_id: str | None
    name: str | None
    id_number: str | None
    phone: str | None
    address: str | None
    gender: str | None
    birth_year: int | None
    tags: list[str] | None
    masked: bool
    """True when at least one field is shown masked or hidden."""


Access = Literal["jurisdiction", "need_to_know", "revealed"]


class PatientView(msgspec.Struct, frozen=True, kw_only=True):
    """A patient as the caller may see it."""

    person: PersonView
    risk_grade: int | None
    diagnosis: str | None
    guardian_name: str | None
    guardian_phone: str | None
    de_escalation_notes: str | None
    medication: str | None
    care_team: list[CareTeamMember] | None
    last_follow_up_at: datetime | None
    access: Access


class RevealRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Why a person's record must be shown unmasked; kept in the audit log."""

    reason: Annotated[str, Meta(min_length=10, max_length=500, pattern=SAFE_TEXT)]


class PatientLookup(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Find a patient by the ID number read from their card, or by a phone number: their own or
    their guardian's (often the number a hotline call came from). Exactly one of the two, in the
    body: never in a URL or log."""

    id_number: IdNumber | None = None
    phone: Phone | None = None


class PersonLookup(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Find a resident by the ID number on their card or their own phone number: exactly one of
    the two, in the body, never in a URL or log."""

    id_number: IdNumber | None = None
    phone: Phone | None = None


class PersonPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of persons."""

    items: list[PersonView]


class PatientPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of patients."""

    items: list[PatientView]
