"""Garbage collection for a process holding thousands of sockets: freeze what lives, collect on
growth.

CPython runs a full collection whenever the objects *promoted* into its oldest generation since
the last one reach a quarter of that generation. It counts promotions, not what is still alive.
With 5,000 WebSocket clients the backend tracks ~890,000 objects. Under fan-out load its
short-lived objects are promoted fast enough to trigger a full collection every one to two
minutes. Each one stops the whole process for ~0.7 s on the 2-core VM, so every wall, phone,
timer and HTTP request waits (docs/benchmarks.md, "The 0.7 s stalls").

`GcPolicy` moves every object alive at each tick into the permanent generation (`gc.freeze()`,
constant time), so CPython's own collections scan only what is younger than a tick. A frozen
object is still freed by reference counting when it dies. Only one caught in a reference cycle
would stay. So the policy unfreezes, collects once and freezes again when the heap has grown by
`growth` (a quarter, CPython's own ratio, but of what is still held) since the last full
collection, and only then:

* not sooner than `min_gap_s` after the previous one: while thousands reconnect at once (a node
  restarted) the heap grows by a quarter every few seconds, and CPython's rule would stop the
  process a dozen times, each pause longer than the last;
* once the heap has *settled* (grown by at most `settled` in the last tick): a heap still growing
  is mostly new clients, not garbage, and a collection in the middle of a reconnect storm would
  be followed by another when the storm ends. Waiting makes it one pause, when the storm is over.
  A heap that keeps growing is collected anyway once it has doubled, so a steady leak of cycles
  cannot hold memory for ever.

With a steady set of clients none of this happens.

The heap is measured as pymalloc's blocks in use (`sys.getallocatedblocks()`, constant time),
not as the frozen objects: `gc.get_freeze_count()` walks every one of them. In a probe here that
walk took 4 ms for 600,000 objects allocated together and 80 ms for 900,000 scattered over the
heap, as a long-running node's are; every tick, it would stop the process that long. The frozen
count is read only right after a full collection, inside a pause that is long anyway.

The policy is process-wide, so the process entry point (`pingan serve`) owns it, not an app.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
from typing import Any

import msgspec

log = logging.getLogger("pingan.gc")

LONG_PAUSE_MS = 100.0
"""A collection at least this long is counted and logged."""


class GcStats(msgspec.Struct, frozen=True, kw_only=True):
    """What the collector has done in this process since the policy started."""

    heap_blocks: int
    """pymalloc blocks in use now: the size the growth rules watch."""
    frozen_after_full: int
    """Objects frozen right after the last full collection (or at start)."""
    full_collections: int
    """Collections the policy ran because the heap grew."""
    longest_pause_ms: float
    long_pauses: int
    """Collections (CPython's or the policy's) of at least LONG_PAUSE_MS."""
    collection_pending: bool
    """The heap has outgrown its baseline: a full collection waits for it to settle or for the
    gap since the last one (a benchmark waits for this to clear before it measures)."""
    ticks: int = 0
    """Ticks run so far: `collection_pending` is as of the last one, so a reader that changed
    the heap waits for the next tick before trusting it."""


DOUBLED = 1.0
"""Growth of the heap since the last full collection past which it is collected unsettled."""


class Heap(msgspec.Struct, frozen=True, kw_only=True):
    """The heap's size (pymalloc blocks in use) as one tick sees it, and at the last full
    collection."""

    now: int
    at_last_tick: int
    at_last_full: int
    """Right after the last full collection (or at start): the baseline growth is measured from."""
    since_full_s: float


def grown_since_full(heap: Heap) -> float:
    """How much the heap has grown since the last full collection, as a fraction."""
    return heap.now / max(heap.at_last_full, 1) - 1.0


def full_collection_due(heap: Heap, *, growth: float, settled: float, min_gap_s: float) -> bool:
    """Whether this tick should collect everything (the rules of the module docstring)."""
    grown = grown_since_full(heap)
    if heap.since_full_s < min_gap_s or grown <= growth:
        return False
    still_growing = heap.now - heap.at_last_tick > settled * max(heap.at_last_tick, 1)
    return not still_growing or grown > DOUBLED


class GcPolicy:
    """Freezes the live objects every `interval_s`; one full collection after `growth` of growth,
    once the heap has settled."""

    def __init__(
        self,
        interval_s: float,
        *,
        growth: float = 0.25,
        settled: float = 0.02,
        min_gap_s: float = 60.0,
    ) -> None:
        if interval_s <= 0 or growth <= 0 or settled < 0 or min_gap_s < 0:
            raise ValueError(
                "interval_s and growth must be positive, settled and min_gap_s not negative"
            )
        self.interval_s = interval_s
        self.growth = growth
        self.settled = settled
        self.min_gap_s = min_gap_s
        self.full_collections = 0
        self.longest_pause_ms = 0.0
        self.long_pauses = 0
        self._baseline = 0  # heap blocks right after the last full collection
        self._last_tick = 0  # heap blocks at the previous tick
        self._frozen_after_full = 0
        self._pending = False
        self._last_full = 0.0  # time.monotonic() of the last full collection (or of start)
        self._started_at = 0.0
        self._unreported = 0.0  # the longest long pause since the last tick
        self._unreported_info: dict[str, Any] = {}  # its generation and what it collected
        self.ticks = 0

    def start(self) -> None:
        """Measure every collection from now on, and freeze what exists (startup's objects)."""
        gc.callbacks.append(self._on_collection)
        gc.freeze()
        self._frozen_after_full = gc.get_freeze_count()
        self._baseline = self._last_tick = sys.getallocatedblocks()
        self._last_full = time.monotonic()

    def stop(self) -> None:
        """Stop measuring and give every frozen object back to the collector."""
        if self._on_collection in gc.callbacks:
            gc.callbacks.remove(self._on_collection)
        gc.unfreeze()

    def tick(self) -> bool:
        """Freeze the live objects; collect everything once if `full_collection_due`. Returns
        whether it collected."""
        self.ticks += 1
        if self._unreported:
            log.warning(
                "long garbage collection pause",
                extra={"pause_ms": round(self._unreported), **self._unreported_info},
            )
            self._unreported = 0.0
        gc.freeze()
        blocks = sys.getallocatedblocks()
        seen = Heap(
            now=blocks,
            at_last_tick=self._last_tick,
            at_last_full=self._baseline,
            since_full_s=time.monotonic() - self._last_full,
        )
        self._last_tick = blocks
        self._pending = grown_since_full(seen) > self.growth
        if not full_collection_due(
            seen, growth=self.growth, settled=self.settled, min_gap_s=self.min_gap_s
        ):
            return False
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.full_collections += 1
        self._pending = False
        self._frozen_after_full = gc.get_freeze_count()
        self._baseline = self._last_tick = sys.getallocatedblocks()
        self._last_full = time.monotonic()
        log.info(
            "full collection after growth",
            extra={
                "blocks_before": blocks,
                "blocks_after": self._baseline,
                "frozen_after": self._frozen_after_full,
            },
        )
        return True

    async def run(self) -> None:
        """`tick` every `interval_s` until cancelled."""
        while True:
            await asyncio.sleep(self.interval_s)
            self.tick()

    def stats(self) -> GcStats:
        """The figures of GcStats, now."""
        return GcStats(
            heap_blocks=sys.getallocatedblocks(),
            frozen_after_full=self._frozen_after_full,
            full_collections=self.full_collections,
            longest_pause_ms=round(self.longest_pause_ms, 1),
            long_pauses=self.long_pauses,
            collection_pending=self._pending,
            ticks=self.ticks,
        )

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started_at = time.perf_counter()
            return
        # no logging here: a collection can start inside any allocation, the logging module's
        # own included; `tick` reports what this records
        pause_ms = (time.perf_counter() - self._started_at) * 1000.0
        self.longest_pause_ms = max(self.longest_pause_ms, pause_ms)
        if pause_ms >= LONG_PAUSE_MS:
            self.long_pauses += 1
            if pause_ms > self._unreported:
                # which generation: CPython's own young collections, or a full one (2)
                self._unreported = pause_ms
                self._unreported_info = {
                    "generation": info.get("generation"),
                    "collected": info.get("collected"),
                }
