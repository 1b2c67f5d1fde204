"""The positions benchmark runs end to end in quick mode and cleans up after itself.

Only shape and correctness are asserted (recall must be 100 %); timings are never asserted.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from backend.bench.positions import run_positions_bench
from backend.bench.table import format_rows

from .conftest import REDIS_URL


async def test_quick_bench_reports_every_figure_with_full_recall(redis_client: Redis) -> None:
    async with asyncio.timeout(110):
        rows = await run_positions_bench(REDIS_URL, quick=True)
    figures = [row.figure for row in rows]
    assert figures[0].startswith("ingest")
    assert sum("p99" in f for f in figures) == 2
    assert sum("p50" in f for f in figures) == 2
    assert any(f.startswith("Redis memory") for f in figures)
    recall = next(row for row in rows if row.figure.startswith("recall"))
    assert recall.ours == 100.0
    assert recall.met is True
    assert all(row.ours > 0 for row in rows)
    assert "ingest" in format_rows(rows)
    leftovers = [
        key async for key in redis_client.scan_iter(match="pingan:bench:pos:*", count=1000)
    ]
    assert leftovers == []
