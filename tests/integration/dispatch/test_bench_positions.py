"""The positions benchmark runs end to end in quick mode and cleans up after itself.

Only shape and correctness are asserted (recall must be 100 %); timings are never asserted.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from backend.bench.positions import run_positions_bench
from backend.bench.table import format_rows


async def test_quick_bench_reports_every_figure_with_full_recall(
    redis_client: Redis, redis_url: str
) -> None:
    async with asyncio.timeout(110):
        rows = await run_positions_bench(redis_url, quick=True)
    figures = [row.figure for row in rows]
    assert figures[0].startswith("ingest")
    goals = [row for row in rows if row.goal == "<= 0.5x peer"]
    assert [row.figure.split(",")[0] for row in goals] == ["nearest k=5 cap 5 km p99"] * 2
    # the goal is on what dispatch searches, the node's mirror; the search in Redis beside it
    assert all(row.figure.endswith("in-process mirror") for row in goals)
    assert sum(f.startswith("nearest") and f.endswith("search in Redis") for f in figures) == 4
    server = [row for row in rows if "Redis time per search in Redis" in row.figure]
    assert len(server) == 2
    assert all(row.peer is not None and row.peer > 0 for row in server)
    assert any(f.startswith("Redis memory") for f in figures)
    recall = [row for row in rows if row.figure.startswith("recall")]
    assert [row.figure.split(", ")[-1] for row in recall] == [
        "in-process mirror",
        "search in Redis",
    ]
    assert [row.ours for row in recall] == [100.0, 100.0]
    assert all(row.met is True for row in recall)
    assert all(row.ours > 0 for row in rows)
    assert "ingest" in format_rows(rows)
    leftovers = [
        key async for key in redis_client.scan_iter(match="pingan:bench:pos:*", count=1000)
    ]
    assert leftovers == []
