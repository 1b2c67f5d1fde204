"""Months as the centres report them: calendar months of the district's own clock."""

from __future__ import annotations

from datetime import datetime

from backend.kpi.buckets import DISTRICT_TZ

PERIOD_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"  # a month, YYYY-MM, of 1900-2099


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of ``YYYY-MM`` in the district's time zone (validated before it gets here)."""
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=DISTRICT_TZ)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=DISTRICT_TZ)
    return start, end


def period_of(moment: datetime) -> str:
    """The month ``moment`` falls in, on the district's clock."""
    return moment.astimezone(DISTRICT_TZ).strftime("%Y-%m")
