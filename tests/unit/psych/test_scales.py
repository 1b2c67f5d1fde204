"""PHQ-9 and GAD-7 scoring: the published cut-offs, the self-harm item, the crisis finding."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.psych.periods import month_bounds, period_of
from backend.psych.scales import BANDS, ITEMS, SELF_HARM_ITEM, AnswerError, band_of, score


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_follow_the_published_cut_offs(total: int, band: str) -> None:
    assert band_of("phq9", total) == band


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "minimal"),
        (5, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_has_no_moderately_severe_band(total: int, band: str) -> None:
    assert band_of("gad7", total) == band


def test_the_ninth_phq9_item_is_a_serious_crisis_whatever_the_total() -> None:
    scored = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (scored.score, scored.band, scored.self_harm, scored.crisis) == (
        1,
        "minimal",
        True,
        "serious",
    )


def test_a_severe_result_warns_and_is_serious_for_a_key_group() -> None:
    answers = [3, 3, 3, 3, 3, 2, 2, 2, 0]  # 21, no self-harm thoughts
    assert score("phq9", answers).crisis == "warning"
    assert score("phq9", answers, key_group=True).crisis == "serious"
    assert score("phq9", [3, 3, 3, 2, 2, 2, 1, 1, 0]).crisis is None  # 17: moderately severe


def test_gad7_never_finds_self_harm() -> None:
    scored = score("gad7", [3, 3, 3, 3, 3, 3, 3])
    assert (scored.score, scored.self_harm, scored.crisis) == (21, False, "warning")


def test_answers_that_do_not_fit_the_scale_name_the_item() -> None:
    with pytest.raises(AnswerError) as wrong_count:
        score("gad7", [0] * 9)
    assert wrong_count.value.index is None
    with pytest.raises(AnswerError) as out_of_range:
        score("phq9", [0, 0, 0, 4, 0, 0, 0, 0, 0])
    assert out_of_range.value.index == 3
    with pytest.raises(AnswerError):
        score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, -1])


@given(st.sampled_from(["phq9", "gad7"]), st.data())
def test_the_total_is_the_sum_and_the_band_rises_with_it(scale: str, data: st.DataObject) -> None:
    answers = data.draw(st.lists(st.integers(0, 3), min_size=ITEMS[scale], max_size=ITEMS[scale]))
    scored = score(scale, answers)  # type: ignore[arg-type]
    assert scored.score == sum(answers)
    order = ["minimal", "mild", "moderate", "moderately_severe", "severe"]
    if scored.score < 27:
        higher = band_of(scale, scored.score + 1)  # type: ignore[arg-type]
        assert order.index(higher) >= order.index(scored.band)


def test_months_are_the_districts_calendar_months() -> None:
    start, end = month_bounds("2026-12")
    assert (start.isoformat(), end.isoformat()) == (
        "2026-12-01T00:00:00+08:00",
        "2027-01-01T00:00:00+08:00",
    )
    # 20:00 UTC on 30 November is already 1 December in Pingshan
    assert period_of(datetime.fromisoformat("2026-11-30T20:00:00+00:00")) == "2026-12"


def test_the_forms_live_tally_uses_the_servers_cut_offs() -> None:
    # The form scores while it is filled in (frontend/src/psych/scales.ts); the server's score is
    # what is stored, but a counsellor must never see one band on screen and another on record.
    source = (Path(__file__).parents[3] / "frontend/src/psych/scales.ts").read_text()
    bands = source[source.index("const BANDS") :]
    for scale, expected in BANDS.items():
        block = bands[bands.index(f"{scale}: [") :]
        block = block[: block.index("\n  ],")]
        found = tuple((int(n), b) for n, b in re.findall(r'\[(\d+), "(\w+)"\]', block))
        assert found == expected, scale
        assert source.count(f'tk("psych.{scale}.item') == ITEMS[scale]
    assert "SELF_HARM_ITEM: Readonly<Partial<Record<PsychScale, number>>> = { phq9: 8 }" in source
    assert SELF_HARM_ITEM == {"phq9": 8}
