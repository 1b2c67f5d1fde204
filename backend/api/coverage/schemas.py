"""What ``GET /api/coverage/gaps`` answers: counts and ETAs only, never a person."""

from __future__ import annotations

from datetime import datetime

import msgspec


class CoverageGap(msgspec.Struct, frozen=True, kw_only=True):
    """A grid nobody qualified reaches in time. ``high_risk`` is null (and ``suppressed``) for
    1–4 patients, as on the key-person map; ``best_eta_s`` is null when nobody is in reach."""

    path: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    high_risk: int | None
    suppressed: bool
    best_eta_s: float | None


class CoverageGaps(msgspec.Struct, frozen=True, kw_only=True):
    """The gaps of ``org_path`` for one rule, most patients first."""

    org_path: str
    minutes: int
    capabilities: list[str]
    min_risk_grade: int
    grids_checked: int
    gaps: list[CoverageGap]
    computed_at: datetime
