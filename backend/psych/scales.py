"""The screening scales a counsellor scores (心理测评), as pure functions.

PHQ-9 (depression) and GAD-7 (anxiety) are the two scales China's community mental-health
screening uses most; both ask how often over the last two weeks (0 not at all … 3 nearly every
day). Bands are the published cut-offs (Kroenke 2001, Spitzer 2006). PHQ-9's ninth item asks
about thoughts of self-harm: any answer but "not at all" is a crisis finding whatever the total.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Scale = Literal["phq9", "gad7"]
Band = Literal["minimal", "mild", "moderate", "moderately_severe", "severe"]
CrisisLevel = Literal["warning", "serious"]

ITEMS: dict[str, int] = {"phq9": 9, "gad7": 7}
MAX_ANSWER = 3
SELF_HARM_ITEM = {"phq9": 8}  # zero-based index of "thoughts that you would be better off dead"

# (lowest total of the band, band), highest first
BANDS: dict[str, tuple[tuple[int, Band], ...]] = {
    "phq9": (
        (20, "severe"),
        (15, "moderately_severe"),
        (10, "moderate"),
        (5, "mild"),
        (0, "minimal"),
    ),
    "gad7": ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal")),
}
FOLLOW_UP_FROM = 10  # a total from which the person should be seen again (moderate and above)


class Scored(msgspec.Struct, frozen=True, kw_only=True):
    """What a filled-in scale says."""

    score: int
    band: Band
    self_harm: bool
    crisis: CrisisLevel | None  # a psychological-crisis warning to raise, if any


class AnswerError(ValueError):
    """The answers do not fit the scale; ``index`` is the offending item (None: the count)."""

    def __init__(self, message: str, index: int | None) -> None:
        super().__init__(message)
        self.index = index


def check_answers(scale: Scale, answers: list[int]) -> None:
    """Raise :class:`AnswerError` unless ``answers`` has one answer 0..3 per item."""
    expected = ITEMS[scale]
    if len(answers) != expected:
        raise AnswerError(f"{scale} has {expected} items, got {len(answers)} answers", None)
    for i, answer in enumerate(answers):
        if not 0 <= answer <= MAX_ANSWER:
            raise AnswerError(f"item {i + 1} must be 0 to {MAX_ANSWER}, got {answer}", i)


def band_of(scale: Scale, score: int) -> Band:
    """The severity band of a total."""
    for lowest, band in BANDS[scale]:
        if score >= lowest:
            return band
    raise AssertionError("every total is at least 0")


def score(scale: Scale, answers: list[int], *, key_group: bool = False) -> Scored:
    """Total, band and crisis finding. Self-harm thoughts are serious at once; a severe band is a
    warning, serious for a member of a key group (a registered patient or a special group), whose
    crisis the district watches first."""
    check_answers(scale, answers)
    total = sum(answers)
    band = band_of(scale, total)
    item = SELF_HARM_ITEM.get(scale)
    self_harm = item is not None and answers[item] > 0
    crisis: CrisisLevel | None = None
    if self_harm:
        crisis = "serious"
    elif band == "severe":
        crisis = "serious" if key_group else "warning"
    return Scored(score=total, band=band, self_harm=self_harm, crisis=crisis)
