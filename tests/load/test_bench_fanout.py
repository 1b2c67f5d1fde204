"""The fan-out benchmark in quick mode: every row is there and no keeping-up client lost a message.

Counts only: wall-clock goals (p99 against the peer, growth with stalled clients) depend on the
machine and what else runs on it, so they are printed by the benchmark, never asserted here.
"""

from __future__ import annotations

import math

import asyncpg
import pytest
from redis.asyncio import Redis

from backend.bench.fanout import QUICK, run_fanout_bench
from backend.bench.table import BenchRow

pytestmark = pytest.mark.e2e

PER_PATH = (
    "p50 latency",
    "p99 latency",
    "delivered",
    "p99 with {stalled} stalled / none",
    "p99 with {stalled} stalled",
    "burst delivered",
    "our GC pauses >= 100 ms inside the measured windows",
)


def expected_figures(clients: int) -> set[str]:
    """Every figure the bench must report for one client count."""
    stalled = max(1, clients // 100)
    figures = {
        f"{name.format(stalled=stalled)}, {clients:,} clients, {path}"
        for name in PER_PATH
        for path in ("outbox (commit → socket)", "stream")
    }
    return figures | {
        f"p99 latency, {clients:,} clients, outbox incl. the producer's commit",
        f"producer's commit p99 (fsync), {clients:,} clients",
        f"lost by keeping-up clients, {clients:,} clients",
        f"stalled clients dropped (4008), {clients:,} clients",
        f"our GC pauses >= 100 ms (policy's full collections), {clients:,} clients",
    }


def assert_no_loss(rows: list[BenchRow]) -> None:
    """Clients that keep up lose nothing on our side (the peer's count is shown, not judged)."""
    lost = [r for r in rows if r.figure.startswith("lost by keeping-up clients")]
    assert lost, "no loss rows"
    for row in lost:
        assert row.ours == 0, f"{row.figure}: ours lost {row.ours:.0f}"
        assert row.met is True


@pytest.mark.timeout(300)
async def test_quick_fanout_bench_reports_every_row_without_loss(
    pg_admin_dsn: str, redis_url: str
) -> None:
    before_dbs, before_keys = await scratch_left(pg_admin_dsn, redis_url)
    rows = await run_fanout_bench(pg_admin_dsn, redis_url, quick=True)
    figures = [r.figure for r in rows]
    assert len(figures) == len(set(figures)), "a figure is reported twice"
    wanted = set().union(*(expected_figures(n) for n in QUICK.clients))
    assert set(figures) == wanted, sorted(set(figures) ^ wanted)
    assert_no_loss(rows)
    for row in rows:
        assert row.bench == "fanout"
        assert math.isfinite(row.ours) and row.ours >= 0, row
        if row.unit in ("ms", "msg/s") and not row.figure.startswith("producer's commit"):
            assert row.peer is not None and math.isfinite(row.peer) and row.peer > 0, row
            assert row.ours > 0, row
    # Its scratch database and its Redis keys are gone (compared with before the run, so a
    # bench someone runs on the same servers meanwhile is not counted against this one).
    after_dbs, after_keys = await scratch_left(pg_admin_dsn, redis_url)
    assert after_dbs <= before_dbs, after_dbs - before_dbs
    assert after_keys <= before_keys, sorted(after_keys - before_keys)[:5]


async def scratch_left(pg_admin_dsn: str, redis_url: str) -> tuple[set[str], set[bytes]]:
    """Scratch databases and Redis keys of fan-out benches that exist right now."""
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        rows = await admin.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE 'pingan_bench_fanout_%'"
        )
    finally:
        await admin.close()
    redis = Redis.from_url(redis_url)
    try:
        keys = {k async for k in redis.scan_iter(match="pingan:bench:fanout:*")}
    finally:
        await redis.aclose()
    return {r["datname"] for r in rows}, keys
