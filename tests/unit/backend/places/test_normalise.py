"""Normalisation of Chinese address text and its token bigrams."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.api.places.matching import AddressCandidate, choose_grams, is_confident
from backend.api.places.normalise import (
    address_grams,
    chinese_number,
    normalise_address,
    similarity,
)

BASE = "深圳市坪山区坪山街道六和社区深汕路12号3栋101房"


@pytest.mark.parametrize(
    "text",
    [
        BASE,
        "坪山六和深汕路12号3栋101房",
        "广东省深圳市坪山区坪山街道六和社区深汕路１２号３栋１０１房",
        "坪山街道 六和社区 深汕路12号3号楼101室",
        "坪山六和社区深汕路12号三栋101室",
        "坪山六和深汕路12号3#101房",
        "坪山六和深汕路12号3幢101房",
        "坪山，六和；深汕路 12 号 3 栋 101 房。",
    ],
)
def test_variant_forms_normalise_alike(text: str) -> None:
    assert normalise_address(text) == "坪山六和深汕路12号3栋101房"


@pytest.mark.parametrize(
    ("cn", "value"),
    [("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("二十五", 25), ("一百零五", 105),
     ("三百", 300), ("一二", 12), ("两", 2), ("壹", None), ("", None)],
)  # fmt: skip
def test_chinese_numbers(cn: str, value: int | None) -> None:
    assert chinese_number(cn) == value


def test_grams_keep_whole_numbers_so_12_is_not_112() -> None:
    grams = address_grams(normalise_address("深汕路12号"))
    assert grams == sorted({"深汕", "汕路", "路12", "12号"})
    assert "12号" not in address_grams(normalise_address("深汕路112号"))
    assert address_grams("101") == ["101"]
    assert address_grams("") == []


def test_similarity_prefers_the_building_over_its_rooms() -> None:
    query = address_grams(normalise_address("深汕路12号3栋"))
    building = address_grams(normalise_address("坪山六和深汕路12号3栋"))
    room = address_grams(normalise_address("坪山六和深汕路12号3栋101房"))
    other = address_grams(normalise_address("坪山六和深汕路12号7栋"))
    assert similarity(query, building) > similarity(query, room) > similarity(query, other)
    assert similarity([], building) == 0.0


DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)


@given(road=st.sampled_from(["深汕路", "东纵路", "丹梓大道"]), no=DIGITS, bld=DIGITS)
def test_full_width_digits_never_change_the_form(road: str, no: str, bld: str) -> None:
    text = f"{road}{no}号{bld}栋"
    wide = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert normalise_address(wide) == normalise_address(text)


@given(st.text(max_size=60))
def test_normalised_text_is_only_letters_digits_and_han(text: str) -> None:
    norm = normalise_address(text)
    assert all(c.isdigit() or "a" <= c <= "z" or "\u3400" <= c <= "\u9fff" for c in norm)
    assert address_grams(norm) == sorted(set(address_grams(norm)))


def test_choose_grams_takes_the_rarest_within_budget_else_all() -> None:
    assert choose_grams({"a": 10, "b": 5, "c": 50_000}, budget=100) == (["b", "a"], False)
    assert choose_grams({"a": 9_000, "b": 8_000, "z": 0}, budget=100) == (["b", "a"], True)
    assert choose_grams({}, budget=100) == ([], False)


def _candidate(score: float) -> AddressCandidate:
    return AddressCandidate(address_id="x", text="x", score=score, org_path="1", lat=0, lon=0)


def test_confidence_needs_a_high_and_clear_winner() -> None:
    assert is_confident([_candidate(1.0)])
    assert is_confident([_candidate(0.97), _candidate(0.9)])
    assert not is_confident([_candidate(0.97), _candidate(0.95)])
    assert not is_confident([_candidate(0.8)])
    assert not is_confident([])
