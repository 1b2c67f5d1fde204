"""Measuring: windows of updates as the keeping-up clients saw them, interleaved and pooled.

A single 15-second window holds a few dozen updates, so its p99 is the tail of one or two of them
and moves by ±25 % from run to run on a shared 2-core machine; and a machine that drifts between
measuring the peer and measuring us skews the ratio. So the systems are measured turn about
(peer, ours, peer, ours, …), and each figure pools the samples of all its windows.
"""

from __future__ import annotations

import asyncio
import math
import time
from array import array
from collections import defaultdict
from collections.abc import Awaitable, Callable

import msgspec

from backend.bench.fanout.clients import Fleet
from backend.bench.fanout.plan import FILL_EVENT_BYTES, FanoutBenchError, Plan
from backend.bench.table import percentile

# emit(phase, count, rate) → for each update number, how long the producer's own write took
# (the outbox's durable commit), or None where there is no such write to tell apart.
Emit = Callable[[int, int, float], Awaitable["array[float] | None"]]


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """What the keeping-up clients saw of one phase, pooled over its windows.

    ``p50_ms``/``p99_ms`` run from the moment the producer started its write; for a producer
    whose write is a durable commit, ``after_write_*`` run from the moment that commit returned
    (the event exists), and ``write_p99_ms`` is the commit itself.
    """

    p50_ms: float
    p99_ms: float
    after_write_p50_ms: float = math.nan
    after_write_p99_ms: float = math.nan
    write_p99_ms: float = math.nan
    delivered_per_s: float
    deliveries: int
    missing: int
    duplicates: int
    closed: int
    windows: int
    gc_pauses: int = 0
    """Our backend's GC pauses of 100 ms or more that fell inside these windows."""


class Gathered(msgspec.Struct, kw_only=True):
    """The raw material of one window, before pooling."""

    latencies: list[float]
    after_write: list[float] | None
    writes: list[float] | None
    got: int
    missing: int
    duplicates: int
    closed: int
    seconds: float
    gc_pauses: int = 0


def _quantile(ordered: list[float], q: float) -> float:
    """``percentile`` of the shared table, but nan for no samples: an empty window is no figure."""
    return percentile(ordered, q) if ordered else math.nan


def pool(windows: list[Gathered]) -> Window:
    """One figure from several windows: every sample counts once, whichever window it came from."""
    latencies = sorted(x for w in windows for x in w.latencies)
    after = sorted(x for w in windows for x in (w.after_write or ()))
    writes = sorted(x for w in windows for x in (w.writes or ()))
    seconds = sum(w.seconds for w in windows)
    got = sum(w.got for w in windows)
    return Window(
        p50_ms=_quantile(latencies, 0.50) * 1000,
        p99_ms=_quantile(latencies, 0.99) * 1000,
        after_write_p50_ms=_quantile(after, 0.50) * 1000,
        after_write_p99_ms=_quantile(after, 0.99) * 1000,
        write_p99_ms=_quantile(writes, 0.99) * 1000,
        delivered_per_s=got / seconds if seconds > 0 else 0.0,
        deliveries=got,
        missing=sum(w.missing for w in windows),
        duplicates=sum(w.duplicates for w in windows),
        closed=sum(w.closed for w in windows),
        windows=len(windows),
        gc_pauses=sum(w.gc_pauses for w in windows),
    )


class System(msgspec.Struct, frozen=True, kw_only=True):
    """One system under test as the phases see it."""

    url: str
    tokens: list[str]
    stalled_bearer: str
    paths: dict[str, Emit]
    fill: Callable[[int], Awaitable[None]]
    gc_pauses: Callable[[], Awaitable[int]] | None = None
    """The system's count of long GC pauses so far, when it keeps one (ours does)."""


class Runner:
    """Drives one system with a fleet of client processes of its own."""

    def __init__(self, fleet: Fleet, plan: Plan, system: System) -> None:
        self.fleet = fleet
        self.plan = plan
        self.system = system
        self.phase = 0

    async def connect(self, clients: int) -> None:
        """Open ``clients`` keeping-up sockets subscribed to the wall."""
        opened = await self.fleet.ask(
            [
                ("connect", self.system.url, self.system.tokens, k)
                for k in self.fleet.split(clients)
            ],
            timeout=300,
        )
        failures = [f for _, failed in opened for f in failed]
        if failures:
            raise FanoutBenchError(
                f"{len(failures)} of {clients} clients did not connect, e.g. {failures[:3]}"
            )

    async def window(self, path: str, count: int, rate: float) -> Gathered:
        """Emit ``count`` updates at ``rate`` on ``path`` and gather what the keepers received."""
        self.phase += 1
        await self.fleet.ask_all(("phase", self.phase, self.plan.warmup if rate > 0 else 0))
        pauses = self.system.gc_pauses
        pauses_before = 0 if pauses is None else await pauses()
        started = time.time()
        writes = await self.system.paths[path](self.phase, count, rate)
        reports = await self.fleet.ask_all(("report", count, 30.0), timeout=90)
        pauses_inside = 0 if pauses is None else await pauses() - pauses_before
        latencies: array[float] = array("d")
        numbers: array[int] = array("q")
        for report in reports:
            latencies.frombytes(report["latencies"])
            numbers.frombytes(report["numbers"])
        last = max(r["last_at"] for r in reports)
        return Gathered(
            latencies=latencies.tolist(),
            after_write=None
            if writes is None
            else [x - writes[n] for x, n in zip(latencies, numbers, strict=True)],
            writes=None if writes is None else writes.tolist()[self.plan.warmup :],
            got=sum(r["got"] for r in reports),
            missing=sum(r["missing"] for r in reports),
            duplicates=sum(r["dups"] for r in reports),
            closed=sum(r["closed"] for r in reports),
            seconds=max(0.0, last - started),
            gc_pauses=pauses_inside,
        )

    async def stall(self, count: int) -> None:
        """Open ``count`` stalled clients (replacing the previous ones) and fill their buffers."""
        await self.fleet.ask(
            [
                ("stall", self.system.url, self.system.stalled_bearer, k, ["wall", "me"])
                for k in self.fleet.split(count)
            ]
        )
        if count:
            await self.system.fill(math.ceil(self.plan.fill_bytes / FILL_EVENT_BYTES))
            await asyncio.sleep(1.0)  # the server pushes the fill until the stalled sockets block

    async def close(self) -> None:
        """Close every socket of the fleet."""
        await self.fleet.ask_all(("close",), timeout=60)


async def measure(
    runners: list[Runner],
    clients: int,
    plan: Plan,
    settled: Callable[[], Awaitable[None]] | None = None,
) -> dict[tuple[str, str], Window]:
    """Plain windows and windows with 1 % stalled clients side by side, then bursts, every
    system's every path, the systems taking turns; keyed by (path, phase).

    ``settled``, when given, is awaited once every client has connected and before the first
    window: the figures are of a steady set of clients, not of the tail of the ramp to it.
    """
    for runner in runners:
        await runner.connect(clients)
    if settled is not None:
        await settled()
    count = int(plan.rate_per_s * plan.window_s) + plan.warmup
    stalled = max(1, clients // 100)
    gathered: dict[tuple[str, str], list[Gathered]] = defaultdict(list)
    try:
        for turn in range(plan.repeats):
            # Who goes first alternates, so neither system always follows the other's burst of work;
            # a path's plain and stalled windows are neighbours, taking turns at going first, so
            # the stalled/none ratio compares like with like and not two halves of a drifting run.
            order = runners if turn % 2 == 0 else runners[::-1]
            phases = ("plain", "stalled") if turn % 2 == 0 else ("stalled", "plain")
            for runner in order:
                for path in runner.system.paths:
                    for phase in phases:
                        if phase == "stalled":
                            await runner.stall(stalled)
                        gathered[path, phase].append(
                            await runner.window(path, count, plan.rate_per_s)
                        )
                        if phase == "stalled":
                            await runner.stall(0)
        burst = max(10, plan.burst_deliveries // clients)
        for runner in runners:
            for path in runner.system.paths:
                gathered[path, "burst"].append(await runner.window(path, burst, 0.0))
    finally:
        for runner in runners:
            await runner.close()
    return {key: pool(windows) for key, windows in gathered.items()}
