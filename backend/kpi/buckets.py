"""Pure calendar and assembly rules of the KPIs: buckets in the district's local time, units of
a level, and turning query rows into complete series (every bucket present, empty as zeros)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from backend.kpi.models import (
    Bucket,
    BucketFigures,
    Durations,
    Figures,
    UnitLevel,
    UnitSeries,
)

# Days start at local midnight where the district is; Shenzhen has no daylight saving.
DISTRICT_TZ = ZoneInfo("Asia/Shanghai")
LEVEL_DEPTH: dict[UnitLevel, int] = {"street": 2, "community": 3}
MAX_BUCKETS = 120
DEFAULT_SPAN: dict[Bucket, int] = {"day": 14, "week": 8}


class Row(Protocol):
    """A query row (asyncpg Record or dict) read by column name."""

    def __getitem__(self, key: str, /) -> Any: ...


def _local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def day_start(now: datetime, tz: ZoneInfo = DISTRICT_TZ) -> datetime:
    """Local midnight of the day ``now`` falls in (an aware datetime)."""
    return _midnight(_local_day(now, tz), tz)


def bucket_start(moment: datetime, bucket: Bucket, tz: ZoneInfo = DISTRICT_TZ) -> datetime:
    """The start of the day, or of the ISO week (Monday), that ``moment`` falls in."""
    day = _local_day(moment, tz)
    if bucket == "week":
        day -= timedelta(days=day.weekday())
    return _midnight(day, tz)


def bucket_starts(
    since: datetime, until: datetime, bucket: Bucket, tz: ZoneInfo = DISTRICT_TZ
) -> list[datetime]:
    """Starts of every bucket overlapping ``[since, until)``, oldest first.

    Raises ValueError when the window is empty or spans more than ``MAX_BUCKETS`` buckets.
    """
    if until <= since:
        raise ValueError("until must be after since")
    step = 7 if bucket == "week" else 1
    day = bucket_start(since, bucket, tz).date()
    out: list[datetime] = []
    while _midnight(day, tz) < until:
        out.append(_midnight(day, tz))
        if len(out) > MAX_BUCKETS:
            raise ValueError(f"the window spans more than {MAX_BUCKETS} {bucket} buckets")
        day += timedelta(days=step)
    return out


def default_window(
    now: datetime, bucket: Bucket, tz: ZoneInfo = DISTRICT_TZ
) -> tuple[datetime, datetime]:
    """The last ``DEFAULT_SPAN`` buckets up to now, the current (partial) one included."""
    current = bucket_start(now, bucket, tz)
    step = 7 if bucket == "week" else 1
    first = current.date() - timedelta(days=step * (DEFAULT_SPAN[bucket] - 1))
    return _midnight(first, tz), now


def unit_of(org_path: str, level: UnitLevel) -> str | None:
    """The unit of ``level`` that ``org_path`` lies in; None above that level."""
    parts = org_path.split(".")
    depth = LEVEL_DEPTH[level]
    return ".".join(parts[:depth]) if len(parts) >= depth else None


def _seconds(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def durations(row: Row, metric: str) -> Durations:
    """The ``<metric>_p50``, ``<metric>_p90`` and ``<metric>_n`` columns of a row."""
    return Durations(
        p50_s=_seconds(row[f"{metric}_p50"]),
        p90_s=_seconds(row[f"{metric}_p90"]),
        n=int(row[f"{metric}_n"] or 0),
    )


def figures_of(opened: Row | None, closed: int) -> Figures:
    """Figures from one row of the opened-incidents query (None: nothing opened) and a count."""
    if opened is None:
        return Figures(closed=closed)
    return Figures(
        opened=int(opened["opened"]),
        closed=closed,
        to_alert=durations(opened, "alert"),
        to_accept=durations(opened, "accept"),
        to_arrive=durations(opened, "arrive"),
    )


def _key(start: datetime) -> datetime:
    """Buckets keyed by their local wall time (what ``date_trunc`` of a local time gives)."""
    return start.replace(tzinfo=None)


def assemble_series(
    *,
    path: str,
    name_zh: str,
    name_en: str,
    starts: Iterable[datetime],
    opened: Mapping[datetime, Row],
    closed: Mapping[datetime, int],
) -> UnitSeries:
    """One unit's series over ``starts``; ``opened``/``closed`` are keyed by naive local starts."""
    return UnitSeries(
        path=path,
        name_zh=name_zh,
        name_en=name_en,
        buckets=[
            BucketFigures(start=s, figures=figures_of(opened.get(_key(s)), closed.get(_key(s), 0)))
            for s in starts
        ],
    )


def split_rows(
    rows: Iterable[Row], value: str | None = None
) -> dict[str | None, dict[datetime, Any]]:
    """Rows of ``(unit, bucket, ...)`` grouped by unit (None = the whole jurisdiction) then by
    bucket; each value is the row itself, or its column ``value``."""
    out: dict[str | None, dict[datetime, Any]] = {}
    for row in rows:
        unit = None if row["is_total"] else row["unit"]
        out.setdefault(unit, {})[row["bucket"]] = row if value is None else row[value]
    return out
