"""When a record typed in by hand says it happened: not ahead of the server's clock (a phone's or
a tablet's may run a little ahead) and not over a year back (older paper records belong to an
import, not a form). One rule for every form that takes an ``at``."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.errors import Unprocessable

CLOCK_SKEW = timedelta(minutes=5)
OLDEST = timedelta(days=366)


def check_record_time(at: datetime, now: datetime, *, field: str = "at", what: str = "") -> None:
    """422 naming ``field`` when ``at`` is ahead of ``now`` (beyond the skew) or over a year
    old; ``what`` names the record in the message ("the visit ")."""
    if at > now + CLOCK_SKEW:
        raise Unprocessable(f"{what}cannot be in the future", field=field, code="in_future")
    if at < now - OLDEST:
        raise Unprocessable(
            f"{what}is more than a year old: load older records with `pingan import`",
            field=field,
            code="too_old",
        )
