"""``CoverageCache``: one computation per key at a time, answers kept ``ttl_s`` (fake clock)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import anyio
import pytest

from backend.api.coverage.schemas import CoverageGaps
from backend.api.coverage.services import CoverageCache, Rule
from dispatch.models import Capability

RULE = Rule(minutes=10, capabilities=(Capability.police,))


def answer(org_path: str) -> CoverageGaps:
    return CoverageGaps(
        org_path=org_path,
        minutes=10,
        capabilities=["police"],
        min_risk_grade=3,
        grids_checked=0,
        gaps=[],
        computed_at=datetime(2025, 3, 3, tzinfo=UTC),
    )


async def test_concurrent_askers_share_one_computation_and_the_answer_expires() -> None:
    now = [100.0]
    cache = CoverageCache(ttl_s=5.0, clock=lambda: now[0])
    calls = 0
    release = asyncio.Event()

    async def compute() -> CoverageGaps:
        nonlocal calls
        calls += 1
        await release.wait()
        return answer(f"run{calls}")

    with anyio.fail_after(5):
        waiting = [asyncio.create_task(cache.get(("1", RULE), compute)) for _ in range(3)]
        await asyncio.sleep(0)
        release.set()
        results = await asyncio.gather(*waiting)
        assert calls == 1 and {r.org_path for r in results} == {"run1"}
        now[0] += 4.9
        assert (await cache.get(("1", RULE), compute)).org_path == "run1"
        now[0] += 0.2
        assert (await cache.get(("1", RULE), compute)).org_path == "run2"
        assert (await cache.get(("2", RULE), compute)).org_path == "run3"  # another scope


async def test_a_failure_reaches_every_waiter_and_is_not_kept() -> None:
    cache = CoverageCache(ttl_s=5.0, clock=lambda: 0.0)

    async def broken() -> CoverageGaps:
        await asyncio.sleep(0)
        raise ConnectionError("index down")

    with anyio.fail_after(5):
        first = asyncio.create_task(cache.get(("1", RULE), broken))
        second = asyncio.create_task(cache.get(("1", RULE), broken))
        for task in (first, second):
            with pytest.raises(ConnectionError):
                await task

        async def fine() -> CoverageGaps:
            return answer("ok")

        assert (await cache.get(("1", RULE), fine)).org_path == "ok"
