"""The timer benchmark runs and reports every row (counts only; times are for the report)."""

from __future__ import annotations

import pytest

from backend.bench.timers import run_timers_bench

pytestmark = pytest.mark.e2e


async def test_quick_timer_bench(pg_admin_dsn: str, redis_url: str) -> None:
    rows = await run_timers_bench(pg_admin_dsn, redis_url, quick=True)
    assert [r.figure for r in rows] == [
        "lateness p50 (200 timers)",
        "lateness p99 (200 timers)",
        "fired exactly once",
    ]
    assert rows[2].met is True
    assert rows[0].peer is not None
