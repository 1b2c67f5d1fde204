"""The dispatch benchmark runs end to end on a small fleet and reports every row."""

from __future__ import annotations

import pytest

from backend.bench.dispatch import run_dispatch_bench

pytestmark = pytest.mark.e2e


async def test_quick_dispatch_bench(pg_admin_dsn: str, redis_url: str) -> None:
    rows = await run_dispatch_bench(pg_admin_dsn, redis_url, quick=True)
    assert len(rows) == 3
    assert all(r.ours > 0 for r in rows)
    assert rows[0].peer is not None
