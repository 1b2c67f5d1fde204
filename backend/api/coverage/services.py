"""Coverage gaps: grids from PostgreSQL, ETAs from the live position index, rules from
``backend.coverage.gaps``; answers kept a few seconds, since every wall asks the same.

Cost: one index search per grid with high-risk patients and per capability (a district has a
few hundred such grids: well under a second on one Redis), so answers are cached for
``ttl_s`` per (scope, rule) and concurrent askers of the same answer share one computation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import msgspec

from backend.api.coverage.schemas import CoverageGap, CoverageGaps
from backend.api.map.suppression import publish
from backend.coverage.gaps import best_eta, find_gaps, reach_m
from backend.coverage.models import GridLoad
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn
from dispatch.index import PositionIndex
from dispatch.models import Capability, DutyStatus

# Nearest candidates read per grid: enough that walkers crowding one spot rarely hide a
# faster vehicle behind them (see backend.coverage.gaps.best_eta).
CANDIDATES_PER_GRID = 8
PARALLEL_SEARCHES = 32
AVAILABLE = frozenset({DutyStatus.available})


class Rule(msgspec.Struct, frozen=True, kw_only=True):
    """What counts as covered: who is qualified, how fast, for which patients."""

    minutes: int
    capabilities: tuple[Capability, ...]
    min_risk_grade: int = 3


async def high_risk_grids(conn: PgConn, scope: str, min_risk_grade: int) -> list[GridLoad]:
    """Grids under ``scope`` holding patients of risk grade >= ``min_risk_grade``, with counts.

    Patients are placed by their own org path (a grid's); one filed above grid level, or a grid
    without a centre, is not assessed.
    """
    rows = await conn.fetch(
        f"""
        SELECT u.path, u.name_zh, u.name_en, u.center_lat, u.center_lon, count(*)::int AS n
        FROM patients p JOIN org_units u ON u.path = p.org_path AND u.level = 'grid'
        WHERE p.risk_grade >= $2 AND {jurisdiction_sql("p.org_path", 1)}
          AND u.center_lat IS NOT NULL AND u.center_lon IS NOT NULL
        GROUP BY u.path ORDER BY u.path
        """,
        scope,
        min_risk_grade,
    )
    return [
        GridLoad(
            path=r["path"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            lat=r["center_lat"],
            lon=r["center_lon"],
            high_risk=r["n"],
        )
        for r in rows
    ]


async def nearest_etas(
    index: PositionIndex, grids: list[GridLoad], rule: Rule, now: float
) -> dict[str, float | None]:
    """The best ETA of an available qualified responder to each grid's centre (None: nobody
    within the distance the fastest mode covers in the travel time)."""
    radius = reach_m(rule.minutes * 60.0, index.speed)
    gate = asyncio.Semaphore(PARALLEL_SEARCHES)

    async def one(grid: GridLoad) -> float | None:
        etas: list[float] = []
        for capability in rule.capabilities:
            async with gate:
                found = await index.nearest(
                    grid.lat,
                    grid.lon,
                    capability=capability,
                    k=CANDIDATES_PER_GRID,
                    max_radius_m=radius,
                    now=now,
                    statuses=AVAILABLE,
                )
            eta = best_eta(found)
            if eta is not None:
                etas.append(eta)
        return min(etas, default=None)

    results = await asyncio.gather(*(one(g) for g in grids))
    return {g.path: eta for g, eta in zip(grids, results, strict=True)}


async def compute_gaps(
    conn: PgConn, index: PositionIndex, scope: str, rule: Rule, now: float
) -> CoverageGaps:
    """The gaps of ``scope`` under ``rule`` now."""
    grids = await high_risk_grids(conn, scope, rule.min_risk_grade)
    etas = await nearest_etas(index, grids, rule, now)
    found = find_gaps(grids, lambda g: etas[g.path], rule.minutes * 60.0)
    return CoverageGaps(
        org_path=scope,
        minutes=rule.minutes,
        capabilities=[c.value for c in rule.capabilities],
        min_risk_grade=rule.min_risk_grade,
        grids_checked=len(grids),
        gaps=[
            CoverageGap(
                path=c.grid.path,
                name_zh=c.grid.name_zh,
                name_en=c.grid.name_en,
                lat=c.grid.lat,
                lon=c.grid.lon,
                high_risk=publish("patients", c.grid.high_risk),
                suppressed=publish("patients", c.grid.high_risk) is None,
                best_eta_s=None if c.best_eta_s is None else round(c.best_eta_s, 1),
            )
            for c in found
        ],
        computed_at=datetime.fromtimestamp(now, UTC),
    )


CacheKey = tuple[str, Rule]


class CoverageCache:
    """Answers per (scope, rule) for ``ttl_s`` seconds; one computation per key at a time.

    Made once in ``create_app`` and handed to handlers by DI (``provide``). Per process: each
    backend node computes its own, which is fine at a few seconds' staleness.
    """

    def __init__(self, ttl_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._answers: dict[CacheKey, tuple[float, CoverageGaps]] = {}
        self._running: dict[CacheKey, asyncio.Future[CoverageGaps]] = {}

    def clear(self) -> None:
        """Forget every answer (tests, or after a bulk change of patients)."""
        self._answers.clear()

    def provide(self) -> CoverageCache:
        """DI: this cache."""
        return self

    async def get(
        self, key: CacheKey, compute: Callable[[], Awaitable[CoverageGaps]]
    ) -> CoverageGaps:
        """The fresh answer for ``key``, computing it (once, whoever asks meanwhile) if stale."""
        now = self._clock()
        held = self._answers.get(key)
        if held is not None and now - held[0] < self.ttl_s:
            return held[1]
        running = self._running.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[CoverageGaps] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            answer = await compute()
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        except BaseException:
            future.cancel()  # cancelled: whoever waits is cancelled too, and may ask again
            raise
        finally:
            self._running.pop(key, None)
        future.set_result(answer)
        self._answers = {k: v for k, v in self._answers.items() if now - v[0] < self.ttl_s}
        self._answers[key] = (now, answer)
        return answer
