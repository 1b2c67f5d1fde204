"""Durations in playbooks: ``"90s"``, ``"5m"``, ``"1h30m"``, ``"24h"``, ``"2d"`` or ISO-8601 ``"PT5M"``.

Playbooks keep durations as the strings their authors wrote (so a stored definition reads like
its YAML and round-trips through JSON with no hooks); the engine converts them with
:func:`parse_duration` when it needs seconds.
"""

from __future__ import annotations

import re
from typing import Annotated

from msgspec import Meta

_SHORT = r"(?=\d)(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?"
_ISO = r"P(?=\d|T)(?:(?P<D>\d+)D)?(?:T(?=\d)(?:(?P<H>\d+)H)?(?:(?P<M>\d+)M)?(?:(?P<S>\d+)S)?)?"
DURATION_PATTERN = rf"^(?:{_SHORT}|{_ISO})$"
_DURATION_RE = re.compile(DURATION_PATTERN)

Duration = Annotated[
    str,
    Meta(
        pattern=DURATION_PATTERN,
        description='A duration such as "90s", "5m", "1h30m", "24h", "2d" or "PT5M".',
    ),
]


def parse_duration(text: str) -> int:
    """Return the number of seconds in ``text``; raise ``ValueError`` if it is not a duration."""
    found = _DURATION_RE.match(text)
    if found is None:
        raise ValueError(f"not a duration: {text!r} (write e.g. 90s, 5m, 1h30m, 24h or PT5M)")
    parts = {k: int(v) for k, v in found.groupdict().items() if v is not None}
    days = parts.get("d", 0) + parts.get("D", 0)
    hours = parts.get("h", 0) + parts.get("H", 0)
    minutes = parts.get("m", 0) + parts.get("M", 0)
    seconds = parts.get("s", 0) + parts.get("S", 0)
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def format_offset(seconds: float) -> str:
    """Format a span of seconds as ``+HH:MM:SS`` (hours may exceed 24) for timelines."""
    sign = "-" if seconds < 0 else "+"
    whole = abs(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}:{secs:02d}"
