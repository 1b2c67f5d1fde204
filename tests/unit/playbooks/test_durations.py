from __future__ import annotations

import pytest

from playbooks.durations import format_offset, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("5m", 300),
        ("1h30m", 5400),
        ("24h", 86400),
        ("2d", 172800),
        ("1d2h3m4s", 93784),
        ("0s", 0),
        ("PT5M", 300),
        ("PT90S", 90),
        ("P1DT2H", 93600),
        ("P2D", 172800),
    ],
)
def test_parse_duration_reads_short_and_iso_forms(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "m", "30m1h", "5 m", "PT", "P", "-5m", "5M", "pt5m"])
def test_parse_duration_rejects_everything_else(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "+00:00:00"), (61, "+00:01:01"), (90061, "+25:01:01"), (-30, "-00:00:30")],
)
def test_format_offset(seconds: float, text: str) -> None:
    assert format_offset(seconds) == text
