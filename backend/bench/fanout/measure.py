"""Measuring: one window of updates as the keeping-up clients saw it, and the phases of a run."""

from __future__ import annotations

import asyncio
import math
import time
from array import array
from collections.abc import Awaitable, Callable

import msgspec

from backend.bench.fanout.clients import Fleet
from backend.bench.fanout.plan import FILL_EVENT_BYTES, FanoutBenchError, Plan
from backend.bench.table import percentile

Emit = Callable[[int, int, float], Awaitable[None]]


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """What the keeping-up clients saw of one phase."""

    p50_ms: float
    p99_ms: float
    delivered_per_s: float
    deliveries: int
    missing: int
    duplicates: int
    closed: int


def _quantile(ordered: list[float], q: float) -> float:
    """``percentile`` of the shared table, but nan for no samples: an empty window is no figure."""
    return percentile(ordered, q) if ordered else math.nan


class System(msgspec.Struct, frozen=True, kw_only=True):
    """One system under test as the phases see it."""

    url: str
    tokens: list[str]
    stalled_bearer: str
    paths: dict[str, Emit]
    fill: Callable[[int], Awaitable[None]]
    dropped: Callable[[], Awaitable[int]] | None = None


class Runner:
    """Runs the phases of one plan against a system with one fleet of client processes."""

    def __init__(self, fleet: Fleet, plan: Plan) -> None:
        self.fleet = fleet
        self.plan = plan
        self.phase = 0

    async def window(self, emit: Emit, count: int, rate: float) -> Window:
        """Emit ``count`` updates at ``rate`` and gather what the keepers received."""
        self.phase += 1
        await self.fleet.ask_all(("phase", self.phase, self.plan.warmup if rate > 0 else 0))
        started = time.time()
        await emit(self.phase, count, rate)
        reports = await self.fleet.ask_all(("report", count, 30.0), timeout=90)
        latencies = array("d")
        for report in reports:
            latencies.frombytes(report["latencies"])
        ordered = sorted(latencies)
        got = sum(r["got"] for r in reports)
        last = max(r["last_at"] for r in reports)
        return Window(
            p50_ms=_quantile(ordered, 0.50) * 1000,
            p99_ms=_quantile(ordered, 0.99) * 1000,
            delivered_per_s=got / (last - started) if last > started else 0.0,
            deliveries=got,
            missing=sum(r["missing"] for r in reports),
            duplicates=sum(r["dups"] for r in reports),
            closed=sum(r["closed"] for r in reports),
        )

    async def measure(self, system: System, clients: int) -> dict[tuple[str, str], Window]:
        """Plain windows, windows with 1 % stalled clients, then bursts, on every path."""
        plan = self.plan
        opened = await self.fleet.ask(
            [("connect", system.url, system.tokens, k) for k in self.fleet.split(clients)],
            timeout=300,
        )
        failures = [f for _, failed in opened for f in failed]
        if failures:
            raise FanoutBenchError(
                f"{len(failures)} of {clients} clients did not connect, e.g. {failures[:3]}"
            )
        count = int(plan.rate_per_s * plan.window_s) + plan.warmup
        results: dict[tuple[str, str], Window] = {}
        for path, emit in system.paths.items():
            results[path, "plain"] = await self.window(emit, count, plan.rate_per_s)
        stalled = max(1, clients // 100)
        fills = math.ceil(plan.fill_bytes / FILL_EVENT_BYTES)
        for path, emit in system.paths.items():
            await self.fleet.ask(
                [
                    ("stall", system.url, system.stalled_bearer, k, ["wall", "me"])
                    for k in self.fleet.split(stalled)
                ]
            )
            await system.fill(fills)
            await asyncio.sleep(1.0)  # the server pushes the fill until the stalled sockets block
            results[path, "stalled"] = await self.window(emit, count, plan.rate_per_s)
        await self.fleet.ask_all(("stall", system.url, system.stalled_bearer, 0, []))
        burst = max(10, plan.burst_deliveries // clients)
        for path, emit in system.paths.items():
            results[path, "burst"] = await self.window(emit, burst, 0.0)
        await self.fleet.ask_all(("close",), timeout=60)
        return results
