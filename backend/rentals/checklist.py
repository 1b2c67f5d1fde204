"""The rental-house checklist and the grading rule (出租屋分级分类), pure: no I/O.

One checklist serves every department ("collect once, share with all"): each item belongs to
the department that acts on it. What the inspector finds is scored; an item grave enough to
endanger lives makes a house red on its own. Two items are derived, never ticked: overcrowding
(less usable area per tenant than the minimum) and unregistered tenants (fewer registered than
living there). One factor comes from the block data, not the visit: a key person (a registered
patient, or someone under community correction or drug rehabilitation) lives at the address.
The grade sets how often the house is inspected; each hazard found must be rectified (整改)
within its item's days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Grade = Literal["green", "yellow", "red"]
Department = Literal["fire", "police", "housing"]
# what an inspector may tick; the derived items and the factor are the server's to say
Ticked = Literal[
    "ebike_indoor_charging",
    "blocked_exit",
    "three_in_one",
    "structural_danger",
    "illegal_activity",
    "unsafe_wiring",
    "no_extinguisher",
    "no_smoke_alarm",
    "lease_unfiled",
]
Derived = Literal["overcrowded", "unregistered_tenants"]
Factor = Literal["key_person_resident"]
ItemCode = Ticked | Derived | Factor

GRADES: tuple[Grade, ...] = get_args(Grade)
TICKED: tuple[str, ...] = get_args(Ticked)
DERIVED: tuple[str, ...] = get_args(Derived)


@dataclass(frozen=True, slots=True)
class Item:
    department: Department
    weight: int
    decisive: bool = False  # found alone, the house is red
    fix_days: int | None = None  # days to rectify; None: a factor, nothing to rectify


ITEMS: dict[str, Item] = {
    # 电动自行车室内停放充电: the commonest cause of deadly fires in urban villages
    "ebike_indoor_charging": Item("fire", 5, decisive=True, fix_days=3),
    # 疏散通道堵塞、防盗网封闭无逃生口
    "blocked_exit": Item("fire", 5, decisive=True, fix_days=3),
    # 三合一: living, production and storage under one roof
    "three_in_one": Item("fire", 5, decisive=True, fix_days=7),
    "structural_danger": Item("housing", 5, decisive=True, fix_days=3),  # 房屋结构安全隐患
    "illegal_activity": Item("police", 5, decisive=True, fix_days=3),  # 疑似违法犯罪活动
    "unsafe_wiring": Item("fire", 3, fix_days=7),  # 私拉乱接电线
    "no_extinguisher": Item("fire", 2, fix_days=15),  # 未配置灭火器
    "no_smoke_alarm": Item("fire", 1, fix_days=30),  # 未安装独立式烟感
    "lease_unfiled": Item("housing", 1, fix_days=30),  # 租赁未备案
    "overcrowded": Item("housing", 3, fix_days=30),  # 群租: under the area per tenant
    "unregistered_tenants": Item("police", 2, fix_days=7),  # 租客未登记
    "key_person_resident": Item("police", 2),  # 重点人员居住
}

RED_SCORE = 5
YELLOW_SCORE = 2
# how often each grade is inspected (检查频次): red weekly, yellow monthly, green quarterly
INSPECT_DAYS: dict[Grade, int] = {"red": 7, "yellow": 30, "green": 90}
# 人均居住面积不得低于 6 平方米 (Shenzhen's rule against group renting)
MIN_AREA_PER_TENANT_M2 = 6.0
SERIOUS_AFTER_DAYS = 14  # an inspection this late is serious whatever the grade


@dataclass(frozen=True, slots=True)
class Verdict:
    found: tuple[str, ...]  # ticked and derived, in checklist order
    factors: tuple[str, ...]
    score: int
    grade: Grade


def derived(tenants: int, registered: int, area_m2: float | None) -> list[str]:
    """The items the server finds from the counts the inspector gives."""
    out = []
    if tenants > 0 and area_m2 is not None and area_m2 / tenants < MIN_AREA_PER_TENANT_M2:
        out.append("overcrowded")
    if registered < tenants:
        out.append("unregistered_tenants")
    return out


def grade(found: set[str], factors: set[str]) -> Verdict:
    """Score what was found and grade it: any decisive item, or a score of ``RED_SCORE``, is red;
    ``YELLOW_SCORE`` or more is yellow; else green."""
    found_items = tuple(c for c in ITEMS if c in found)
    factor_items = tuple(c for c in ITEMS if c in factors)
    score = sum(ITEMS[c].weight for c in (*found_items, *factor_items))
    verdict: Grade = "green"
    if score >= RED_SCORE or any(ITEMS[c].decisive for c in found_items):
        verdict = "red"
    elif score >= YELLOW_SCORE:
        verdict = "yellow"
    return Verdict(found=found_items, factors=factor_items, score=score, grade=verdict)


def assess(
    ticked: set[str], tenants: int, registered: int, area_m2: float | None, key_persons: int
) -> Verdict:
    """The whole rule: the ticked items, the derived ones, and the block data's factor."""
    found = ticked | set(derived(tenants, registered, area_m2))
    factors = {"key_person_resident"} if key_persons > 0 else set()
    return grade(found, factors)
