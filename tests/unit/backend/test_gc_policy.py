"""The GC policy with the real collector, each case in its own interpreter.

Freezing is process-wide: done in the test process it would keep pytest's own garbage alive
for every later test. So each case runs as a small script in a child Python and prints what
it saw.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


PRELUDE = """\
import gc, json, sys, weakref
from backend.gc_policy import GcPolicy

def grow(fraction):
    \"\"\"Live containers until the heap (pymalloc blocks) has grown by `fraction`.\"\"\"
    start, kept = sys.getallocatedblocks(), []
    while sys.getallocatedblocks() < start * (1 + fraction):
        kept.extend([i] for i in range(1_000))
    return kept
"""


def run_case(body: str) -> dict[str, object]:
    script = PRELUDE + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_live_objects_are_frozen_and_the_collector_no_longer_scans_them() -> None:
    seen = run_case(
        """
        policy = GcPolicy(5.0, min_gap_s=0)
        policy.start()
        before = gc.get_freeze_count()
        kept = grow(1.2)  # containers: tracked by the collector
        collected = policy.tick()
        frozen = gc.get_freeze_count()
        young = len(gc.get_objects())  # what CPython's own collections still walk
        print(json.dumps({"before": before, "frozen": frozen, "collected": collected,
                          "young": young, "kept": len(kept),
                          "after_full": policy.stats().frozen_after_full}))
        """
    )
    assert seen["frozen"] > seen["kept"] > 0  # type: ignore[operator]
    assert seen["frozen"] > seen["before"]  # type: ignore[operator]
    # the heap more than doubled since start: collected though still growing
    assert seen["collected"] is True
    assert seen["after_full"] == seen["frozen"]
    assert seen["young"] < 1_000  # type: ignore[operator]


def test_a_cycle_frozen_while_alive_is_collected_once_the_heap_grows_by_a_quarter() -> None:
    seen = run_case(
        """
        class Node:
            pass

        policy = GcPolicy(5.0, growth=0.25, min_gap_s=0)
        policy.start()
        base = grow(1.5)
        policy.tick()  # doubled: collected, and the baseline now holds `base`
        a, b = Node(), Node()
        a.other, b.other = b, a  # a reference cycle: reference counting alone never frees it
        gone = weakref.ref(a)
        policy.tick()
        del a, b
        gc.collect()  # CPython's own full collection does not look at frozen objects
        survived_collect = gone() is not None
        small = grow(0.05)  # growth under a quarter: no full collection
        small_tick = policy.tick()
        survived_small = gone() is not None
        more = grow(0.3)
        growing_tick = policy.tick()  # grew by 30 % in one tick: not settled yet
        survived_growing = gone() is not None
        pending = policy.stats().collection_pending
        big_tick = policy.tick()
        print(json.dumps({
            "survived_collect": survived_collect, "small_tick": small_tick,
            "survived_small": survived_small, "growing_tick": growing_tick,
            "survived_growing": survived_growing, "big_tick": big_tick, "freed": gone() is None,
            "pending": pending, "pending_after": policy.stats().collection_pending,
            "full": policy.stats().full_collections, "kept": len(base) + len(small) + len(more),
        }))
        """
    )
    assert seen["survived_collect"] is True
    assert (seen["small_tick"], seen["survived_small"]) == (False, True)
    assert (seen["growing_tick"], seen["survived_growing"]) == (False, True)
    assert (seen["big_tick"], seen["freed"]) == (True, True)
    assert (seen["pending"], seen["pending_after"]) == (True, False)
    assert seen["full"] == 2  # `base` (doubled), then this one


def test_no_full_collection_sooner_than_the_gap_after_the_last() -> None:
    seen = run_case(
        """
        policy = GcPolicy(5.0, min_gap_s=3600)
        policy.start()
        before = policy.stats()
        kept = grow(1.5)  # grew far beyond a quarter, within the gap
        print(json.dumps({"collected": policy.tick(), "frozen": gc.get_freeze_count(),
                          "kept": len(kept), "ticks": [before.ticks, policy.stats().ticks],
                          "pending": [before.collection_pending,
                                      policy.stats().collection_pending]}))
        """
    )
    assert seen["collected"] is False
    # what is pending is known only at a tick: a reader waits for one after changing the heap
    assert seen["ticks"] == [0, 1]
    assert seen["pending"] == [False, True]
    assert seen["frozen"] > seen["kept"]  # type: ignore[operator]


def test_pauses_are_measured_and_stop_gives_every_object_back() -> None:
    seen = run_case(
        """
        policy = GcPolicy(5.0, min_gap_s=0)
        policy.start()
        kept = [[i] for i in range(200_000)]
        gc.unfreeze()
        gc.collect()  # a full collection over 200,000 containers: a measurable pause
        stats = policy.stats()
        policy.stop()
        print(json.dumps({"longest": stats.longest_pause_ms, "frozen_after_stop":
                          gc.get_freeze_count(), "kept": len(kept)}))
        """
    )
    assert seen["longest"] > 0  # type: ignore[operator]
    assert seen["frozen_after_stop"] == 0


def full_due(now: int, at_last_tick: int, since_full_s: float = 120.0) -> bool:
    from backend.gc_policy import Heap, full_collection_due

    heap = Heap(now=now, at_last_tick=at_last_tick, at_last_full=100_000, since_full_s=since_full_s)
    return full_collection_due(heap, growth=0.25, settled=0.02, min_gap_s=60.0)


def test_a_set_past_a_quarter_is_collected_once_it_has_settled() -> None:
    assert not full_due(124_000, at_last_tick=124_000)  # settled, but not a quarter more
    assert not full_due(126_000, at_last_tick=110_000)  # a quarter more, still growing
    assert full_due(126_000, at_last_tick=125_000)  # grew 0.8 % in the last tick: settled
    assert full_due(126_000, at_last_tick=140_000)  # shrinking counts as settled
    assert not full_due(126_000, at_last_tick=125_000, since_full_s=30.0)  # within the gap


def test_a_set_that_keeps_growing_is_collected_once_it_has_doubled() -> None:
    assert not full_due(199_000, at_last_tick=150_000)
    assert full_due(201_000, at_last_tick=150_000)
    assert not full_due(201_000, at_last_tick=150_000, since_full_s=30.0)  # the gap still holds


def test_interval_and_growth_must_be_positive() -> None:
    from backend.gc_policy import GcPolicy

    with pytest.raises(ValueError, match="positive"):
        GcPolicy(0)
    with pytest.raises(ValueError, match="positive"):
        GcPolicy(5.0, growth=0)
    with pytest.raises(ValueError, match="not negative"):
        GcPolicy(5.0, min_gap_s=-1)
    with pytest.raises(ValueError, match="not negative"):
        GcPolicy(5.0, settled=-0.01)
