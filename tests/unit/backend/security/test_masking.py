"""Masking conventions and the policy's most-open-role rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backend.security import masking
from backend.security.masking import NEED_TO_KNOW, Visibility
from backend.security.policy import Role


def test_conventions() -> None:
    assert masking.mask_name("张三丰") == "张**"
    assert masking.mask_name("李四") == "李*"
    assert masking.mask_id_number("440310198501011234") == "440310********1234"
    assert masking.mask_phone("13812345678") == "138****5678"
    assert (
        masking.mask_address("深圳市坪山区碧岭街道沙湖社区坪山大道208号21栋105房")
        == "深圳市坪山区碧岭街道沙湖社区"
    )


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_id_mask_never_shows_the_middle(value: str) -> None:
    masked = masking.mask_id_number(value)
    assert masked[6:14] == "*" * 8
    assert len(masked) == 18


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_phone_mask_keeps_three_and_four(value: str) -> None:
    masked = masking.mask_phone(value)
    assert masked[:3] == value[:3]
    assert masked[-4:] == value[-4:]
    assert masked[3:7] == "****"


def test_most_open_role_wins() -> None:
    roles = frozenset({Role.OPERATOR, Role.CASE_WORKER})
    assert masking.visibility("person", "name", roles) is Visibility.FULL
    assert (
        masking.visibility("person", "id_number", frozenset({Role.OPERATOR})) is Visibility.HIDDEN
    )


def test_unknown_role_sees_nothing() -> None:
    assert masking.apply("person", "name", "张三", frozenset({Role.AUDITOR})) is None
    assert masking.apply("patient", "diagnosis", "x", frozenset({NEED_TO_KNOW})) is None


def test_masked_field_without_a_rule_is_hidden() -> None:
    # diagnosis has no masker: a policy that said "masked" must not leak it whole.
    original = masking.FIELD_POLICY["patient"][Role.OPERATOR]["diagnosis"]
    masking.FIELD_POLICY["patient"][Role.OPERATOR]["diagnosis"] = Visibility.MASKED
    try:
        assert masking.apply("patient", "diagnosis", "F20.0", frozenset({Role.OPERATOR})) is None
    finally:
        masking.FIELD_POLICY["patient"][Role.OPERATOR]["diagnosis"] = original
