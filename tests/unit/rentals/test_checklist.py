"""The grading rule: decisive items, scores, derived items and the key-person factor."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backend.rentals import checklist
from backend.rentals.checklist import ITEMS, RED_SCORE, YELLOW_SCORE, assess, derived, grade


def test_nothing_found_is_green() -> None:
    assert grade(set(), set()) == checklist.Verdict(found=(), factors=(), score=0, grade="green")


def test_one_decisive_item_alone_makes_a_house_red() -> None:
    for code, item in ITEMS.items():
        if item.decisive:
            assert grade({code}, set()).grade == "red", code


def test_minor_items_add_up_to_yellow_then_red() -> None:
    assert grade({"no_smoke_alarm"}, set()).grade == "green"  # 1
    assert grade({"no_extinguisher"}, set()).grade == "yellow"  # 2
    assert grade({"no_extinguisher", "unsafe_wiring"}, set()).grade == "red"  # 5


def test_a_key_person_living_there_is_a_factor_not_a_hazard() -> None:
    v = assess(set(), tenants=1, registered=1, area_m2=30.0, key_persons=1)
    assert (v.found, v.factors, v.grade) == ((), ("key_person_resident",), "yellow")
    assert ITEMS["key_person_resident"].fix_days is None


def test_overcrowding_and_unregistered_tenants_are_derived_from_the_counts() -> None:
    assert derived(tenants=4, registered=4, area_m2=24.0) == []  # exactly 6 m² each
    assert derived(tenants=5, registered=4, area_m2=24.0) == ["overcrowded", "unregistered_tenants"]
    assert derived(tenants=5, registered=5, area_m2=None) == []  # unknown area: not judged
    assert derived(tenants=0, registered=0, area_m2=10.0) == []


def test_every_item_is_ticked_derived_or_the_factor_and_hazards_have_deadlines() -> None:
    assert set(ITEMS) == {*checklist.TICKED, *checklist.DERIVED, "key_person_resident"}
    for code in (*checklist.TICKED, *checklist.DERIVED):
        assert ITEMS[code].fix_days is not None and ITEMS[code].fix_days > 0, code
    assert checklist.INSPECT_DAYS["red"] < checklist.INSPECT_DAYS["yellow"]
    assert checklist.INSPECT_DAYS["yellow"] < checklist.INSPECT_DAYS["green"]


@given(
    st.sets(st.sampled_from(checklist.TICKED)),
    st.integers(0, 30),
    st.integers(0, 30),
    st.none() | st.floats(1, 500),
    st.integers(0, 3),
)
def test_the_grade_follows_the_score_and_the_decisive_items(
    ticked: set[str], tenants: int, registered: int, area: float | None, key: int
) -> None:
    registered = min(registered, tenants)
    v = assess(ticked, tenants, registered, area, key)
    assert set(v.found) >= ticked
    assert v.score == sum(ITEMS[c].weight for c in (*v.found, *v.factors))
    decisive = any(ITEMS[c].decisive for c in v.found)
    expected = (
        "red"
        if decisive or v.score >= RED_SCORE
        else "yellow"
        if v.score >= YELLOW_SCORE
        else "green"
    )
    assert v.grade == expected
    # more found never lowers the grade
    worse = assess(ticked | {"no_extinguisher"}, tenants, registered, area, key)
    assert checklist.GRADES.index(worse.grade) >= checklist.GRADES.index(v.grade)
