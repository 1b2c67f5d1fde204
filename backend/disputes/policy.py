"""What a dispute's risk asks for, and where a dispute may go: pure, no I/O.

A centre holds a dispute until it is closed. It may pass it **up** one level (a community to its
street, a street to the district) when it cannot settle it there, and a centre may hand one it
holds **down** to a unit below it on the way to where the dispute happened (交办), never sideways:
the unit that gets it must know the place. Org paths nest by dots (``440310.01.03``), so these
are tests on strings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal, get_args

from backend.kpi.buckets import DISTRICT_TZ
from backend.security.principal import within

Kind = Literal["neighbour", "family", "labour", "property", "land", "consumer", "traffic", "other"]
Risk = Literal["low", "medium", "high"]
Source = Literal["screening", "hotline", "walk_in", "grid", "referral"]
Status = Literal["open", "mediating", "resolved", "referred"]
Resolution = Literal["agreement", "withdrawn"]  # settled here (调解成功, 撤回)
Referral = Literal["court", "arbitration", "petition", "other"]  # passed to another channel

KINDS: tuple[str, ...] = get_args(Kind)
RISKS: tuple[str, ...] = get_args(Risk)
LIVE: tuple[Status, ...] = ("open", "mediating")

# 处置时限: how long a centre has to settle (or escalate) a dispute of each risk
SETTLE_DAYS: dict[str, int] = {"high": 3, "medium": 15, "low": 30}
SERIOUS_AFTER_DAYS = 7  # late this long, any overdue dispute is serious
WEEK_PATTERN = r"^(19|20)\d{2}-W(0[1-9]|[1-4]\d|5[0-3])$"  # an ISO week, YYYY-Www


def due(risk: str, at: datetime) -> datetime:
    """When a dispute of ``risk`` taken on at ``at`` must be settled."""
    return at + timedelta(days=SETTLE_DAYS[risk])


def parent(path: str) -> str | None:
    """The unit above ``path``; None for the top of the tree."""
    head, dot, _ = path.rpartition(".")
    return head if dot else None


def may_assign(holder: str, to: str, origin: str) -> bool:
    """Whether the centre ``holder`` may hand the dispute down to ``to``: strictly below the
    holder, and ``origin`` (where it happened) is ``to`` or lies below it."""
    return to != holder and within(to, holder) and within(origin, to)


def week_of(moment: datetime) -> str:
    """The ISO week ``moment`` falls in on the district's clock, as ``YYYY-Www``."""
    year, week, _ = moment.astimezone(DISTRICT_TZ).isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date | None:
    """The Monday that starts ``YYYY-Www``; None for a week 53 the year does not have."""
    try:
        return date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    except ValueError:
        return None


# A party who is one of these makes a dispute high-risk (重点人员涉矛盾纠纷)
KEY_GROUPS = ("community_correction", "drug_rehab")
KEY_PATIENT_GRADE = 3  # a registered patient of this risk grade or above


def key_reasons(tags: list[str], patient_grade: int | None) -> list[str]:
    """Why a person is a key person for a dispute: ``patient`` (grade >= 3) and the key groups
    they belong to; empty when they are none."""
    out = []
    if patient_grade is not None and patient_grade >= KEY_PATIENT_GRADE:
        out.append("patient")
    out += [g for g in KEY_GROUPS if g in tags]
    return out
