"""Ledger entries and checks as they cross the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from backend.early_warning.models import WarningNote
from backend.ledgers.groups import Group
from backend.security.policy import Department
from backend.validation import SAFE_TEXT, UUID_TEXT

Uuid = Annotated[str, Meta(pattern=UUID_TEXT)]
Notes = Annotated[str, Meta(max_length=2000, pattern=SAFE_TEXT)]
CheckKind = Literal["home_visit", "phone", "report_in", "office"]
Finding = Literal["normal", "needs_help", "violation"]
EntryStatus = Literal["active", "closed"]


class EntryCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Register a person in a group's ledger (建档). ``officer_id``: who answers for them (a user
    of the person's jurisdiction); none: the one who registers."""

    id: Uuid
    person_id: Uuid
    group: Group
    since: date
    officer_id: Uuid | None = None
    notes: Notes | None = None


class EntryClose(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Take a person off the ledger: why (moved away, no longer eligible, sentence served, died)."""

    reason: Annotated[str, Meta(min_length=2, max_length=500, pattern=SAFE_TEXT)]


class CheckCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One check of a registered person (走访核查)."""

    id: Uuid
    at: Annotated[datetime, Meta(tz=True)]
    kind: CheckKind
    finding: Finding
    notes: Notes | None = None


class CheckView(msgspec.Struct, frozen=True, kw_only=True):
    """A check; ``notes`` for those who may write the ledger."""

    id: str
    entry_id: str
    at: datetime
    kind: CheckKind
    finding: Finding
    notes: str | None
    by_name: str
    recorded_at: datetime


class EntryView(msgspec.Struct, frozen=True, kw_only=True):
    """A ledger entry, the person masked for the caller."""

    id: str
    person_id: str
    name: str | None
    address: str | None
    group: Group
    department: Department
    status: EntryStatus
    since: date
    officer_id: str | None
    officer_name: str | None
    check_days: int
    last_check_at: datetime | None
    due_at: datetime
    overdue: bool
    needs_help: bool
    tagged: bool  # the block data lists the person in this group too
    org_path: str
    notes: str | None
    created_by_name: str
    created_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    warning: WarningNote | None


class EntryDetail(msgspec.Struct, frozen=True, kw_only=True):
    """An entry with its checks, newest first."""

    entry: EntryView
    checks: list[CheckView]


class EntryRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a registration: ``duplicate`` when this id was sent before."""

    entry: EntryView
    duplicate: bool


class CheckRecorded(msgspec.Struct, frozen=True, kw_only=True):
    """The answer to a check, with the entry as it now stands and the warnings it resolved."""

    check: CheckView
    entry: EntryView
    duplicate: bool
    resolved_warnings: list[int]


class EntryPage(msgspec.Struct, frozen=True, kw_only=True):
    """Active entries: overdue first, then soonest due."""

    items: list[EntryView]
    total: int
    overdue: int


class PendingPerson(msgspec.Struct, frozen=True, kw_only=True):
    """A person the block data lists in a group who has no ledger entry for it (待建档)."""

    person_id: str
    name: str | None
    address: str | None
    org_path: str
    birth_year: int | None


class PendingPage(msgspec.Struct, frozen=True, kw_only=True):
    """Tagged but not registered, oldest first by birth year (the elderly first)."""

    items: list[PendingPerson]
    total: int


class Officer(msgspec.Struct, frozen=True, kw_only=True):
    """Someone who may answer for a person: keeps ledgers, and their jurisdiction covers them."""

    user_id: str
    display_name: str
    org_path: str


class OfficerPage(msgspec.Struct, frozen=True, kw_only=True):
    """The nearest first (the person's own unit before the units above it)."""

    items: list[Officer]


class GroupCount(msgspec.Struct, frozen=True, kw_only=True):
    """One group in one unit. Counts 1-4 are published as null ("<5")."""

    group: Group
    tagged: int | None
    registered: int | None
    overdue: int | None
    needs_help: int | None


class UnitLedger(msgspec.Struct, frozen=True, kw_only=True):
    """The groups of one unit."""

    org_path: str
    name_zh: str
    name_en: str
    groups: list[GroupCount]


class LedgerSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Every unit of a level in the caller's jurisdiction, and the jurisdiction's total."""

    level: str
    units: list[UnitLedger]
    total: list[GroupCount]
