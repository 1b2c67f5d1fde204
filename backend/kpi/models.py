"""What the KPI endpoints and the wall snapshot answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

Bucket = Literal["day", "week"]
UnitLevel = Literal["street", "community"]
Metric = Literal["alert", "accept", "arrive"]
METRICS: tuple[Metric, ...] = ("alert", "accept", "arrive")


class Durations(msgspec.Struct, frozen=True, kw_only=True):
    """p50 and p90 (seconds) of one milestone over ``n`` incidents; null without a sample."""

    p50_s: float | None = None
    p90_s: float | None = None
    n: int = 0


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    """The KPIs of one set of incidents (one bucket of one unit, or today)."""

    opened: int = 0
    closed: int = 0
    to_alert: Durations = msgspec.field(default_factory=Durations)
    to_accept: Durations = msgspec.field(default_factory=Durations)
    to_arrive: Durations = msgspec.field(default_factory=Durations)


class TodayKpis(msgspec.Struct, frozen=True, kw_only=True):
    """The wall's KPIs: since local midnight in the jurisdiction ``org_path``."""

    org_path: str
    day_start: datetime
    figures: Figures
    on_duty_by_capability: dict[str, int]
    """Responders whose duty status is not ``off_duty``, per capability (one may count twice)."""
    on_duty: int
    """Responders on duty (each counted once)."""


class BucketFigures(msgspec.Struct, frozen=True, kw_only=True):
    """The figures of one bucket; ``start`` is local midnight (of Monday for weeks)."""

    start: datetime
    figures: Figures


class UnitSeries(msgspec.Struct, frozen=True, kw_only=True):
    """One org unit's buckets, oldest first, every bucket present (empty ones as zeros)."""

    path: str
    name_zh: str
    name_en: str
    buckets: list[BucketFigures]


class KpiTrends(msgspec.Struct, frozen=True, kw_only=True):
    """Trends per unit of ``level`` and for the whole jurisdiction (``total``)."""

    org_path: str
    bucket: Bucket
    level: UnitLevel
    since: datetime
    until: datetime
    total: UnitSeries
    units: list[UnitSeries]


class SlaCell(msgspec.Struct, frozen=True, kw_only=True):
    """Time to accept and to arrive of the incidents opened in one H3 cell."""

    cell: str
    lat: float
    lon: float
    incidents: int
    to_accept: Durations
    to_arrive: Durations


class SlaCells(msgspec.Struct, frozen=True, kw_only=True):
    """SLA heat per H3 cell for a window."""

    org_path: str
    res: int
    since: datetime
    until: datetime
    cells: list[SlaCell]
