"""A query's time window (``since``, ``until``): both ends aware, in order, and within the years
the records can have, so arithmetic on them (a default start 30 days before, buckets between)
never overflows or runs for millennia."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.errors import ApiError

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def check_window(since: datetime | None, until: datetime | None) -> None:
    """400 naming the end that is naive, out of range, or (``until``) not after ``since``."""
    for name, value in (("since", since), ("until", until)):
        if value is None:
            continue
        if value.tzinfo is None:
            raise ApiError(f"{name} needs a time zone (e.g. ...Z or +08:00)", field=name)
        if not EARLIEST <= value <= LATEST:
            raise ApiError(f"{name} must lie between 2000 and 2100", field=name)
    if since is not None and until is not None and until <= since:
        raise ApiError("until must be after since", field="until")
