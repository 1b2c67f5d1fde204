"""Early warnings as they cross the API and the event streams."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from backend.validation import SAFE_TEXT

Rule = Literal[
    "follow_up_overdue",
    "repeat_calls",
    "psych_crisis",
    "ledger_check_overdue",
    "rental_inspection_overdue",
    "rental_hazard_overdue",
    "dispute_high_risk",
    "dispute_overdue",
]
Level = Literal["warning", "serious"]
WarningState = Literal["open", "acknowledged", "resolved"]

FOLLOW_UP_OVERDUE: Rule = "follow_up_overdue"  # subject: a patient
REPEAT_CALLS: Rule = "repeat_calls"  # subject: an address
PSYCH_CRISIS: Rule = "psych_crisis"  # subject: a person (a patient is a person too)
LEDGER_CHECK_OVERDUE: Rule = "ledger_check_overdue"  # subject: a ledger entry
RENTAL_INSPECTION_OVERDUE: Rule = "rental_inspection_overdue"  # subject: a rental house
RENTAL_HAZARD_OVERDUE: Rule = "rental_hazard_overdue"  # subject: a rectification
DISPUTE_HIGH_RISK: Rule = "dispute_high_risk"  # subject: a dispute
DISPUTE_OVERDUE: Rule = "dispute_overdue"  # subject: a dispute


class WarningView(msgspec.Struct, frozen=True, kw_only=True):
    """One finding of a rule. It names its subject by id only: whoever opens the subject's record
    is audited there."""

    id: int
    rule: Rule
    level: Level
    state: WarningState
    subject_type: str
    subject_id: str
    org_path: str
    org_name: str | None  # the unit's name in Chinese
    org_name_en: str | None
    raised_at: datetime
    details: dict[str, Any]
    acknowledged_by_name: str | None
    acknowledged_at: datetime | None
    ack_note: str | None
    resolved_at: datetime | None
    resolution: str | None


class WarningNote(msgspec.Struct, frozen=True, kw_only=True):
    """A live warning about an incident's patient or address, as the incident's views show it:
    what kind and how urgent, not its details."""

    id: int
    rule: Rule
    level: Level
    state: WarningState
    raised_at: datetime


class ForeseenWarning(msgspec.Struct, frozen=True, kw_only=True):
    """A warning about an incident's patient or address that was live when the call came: for
    the review (复盘), how long the crisis had been foreseen and whether anyone had taken it."""

    id: int
    rule: Rule
    level: Level
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_name: str | None
    ack_note: str | None
    days_before_call: float


class WarningPage(msgspec.Struct, frozen=True, kw_only=True):
    """Warnings in the caller's jurisdiction, newest first, with the live totals there."""

    items: list[WarningView]
    open: int
    acknowledged: int
    serious: int  # live (open or acknowledged) and serious


class UnitWarnings(msgspec.Struct, frozen=True, kw_only=True):
    """The live warnings of one org unit (zero included), for a leader's overview."""

    org_path: str
    name_zh: str
    name_en: str
    open: int
    acknowledged: int
    serious: int
    high_risk: int = 0  # patients the overdue rule watches (grade >= its threshold)
    overdue: int = 0  # ... whose follow-up is past due now


class UnitWarningPage(msgspec.Struct, frozen=True, kw_only=True):
    """Every unit of one level in the caller's jurisdiction, most serious first."""

    level: str
    units: list[UnitWarnings]


class WarningAck(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Someone has taken the warning in hand, and says how."""

    note: Annotated[str, Meta(min_length=2, max_length=500, pattern=SAFE_TEXT)]
