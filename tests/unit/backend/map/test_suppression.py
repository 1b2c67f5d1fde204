"""Small-count suppression: sensitive counts of 1–4 are never published, nor their complement."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backend.api.map.suppression import K_MIN, publish


def test_plain_layers_publish_every_count() -> None:
    assert [publish("people", n) for n in (0, 1, 4, 5)] == [0, 1, 4, 5]


def test_sensitive_layers_suppress_one_to_four() -> None:
    assert [publish("patients", n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    assert publish("groups", 3) is None


def test_a_grade_is_suppressed_when_the_rest_of_the_cell_is_small() -> None:
    assert publish("patients", 6, total=8) is None  # "all" − "grade" would reveal 2
    assert publish("patients", 6, total=6) == 6
    assert publish("patients", 6, total=11) == 6


@given(n=st.integers(0, 1000), rest=st.integers(0, 1000))
def test_nothing_published_reveals_a_small_group(n: int, rest: int) -> None:
    shown = publish("patients", n, total=n + rest)
    if shown is not None:
        assert shown == n
        assert n == 0 or n >= K_MIN
        assert rest == 0 or rest >= K_MIN
