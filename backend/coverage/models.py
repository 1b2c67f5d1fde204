"""Inputs and answers of the coverage computation."""

from __future__ import annotations

import msgspec


class GridLoad(msgspec.Struct, frozen=True, kw_only=True):
    """A grid with high-risk patients: where it is (its centre) and how many (a count only)."""

    path: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    high_risk: int


class GridCoverage(msgspec.Struct, frozen=True, kw_only=True):
    """One grid assessed: the best ETA of a qualified responder (None: nobody in reach)."""

    grid: GridLoad
    best_eta_s: float | None
    gap: bool
