"""Pooling fan-out windows: every sample counts once, and the outbox's clock starts at its commit."""

from __future__ import annotations

import math
from array import array

from backend.bench.fanout.measure import Gathered, pool
from backend.bench.fanout.rows import NodeCounts, size_rows


def gathered(latencies: list[float], writes: list[float] | None = None, **counts: int) -> Gathered:
    return Gathered(
        latencies=latencies,
        after_write=None
        if writes is None
        else [x - w for x, w in zip(latencies, writes, strict=True)],
        writes=writes,
        got=counts.get("got", len(latencies)),
        missing=counts.get("missing", 0),
        duplicates=0,
        closed=counts.get("closed", 0),
        seconds=1.0,
        gc_pauses=counts.get("gc_pauses", 0),
    )


def test_pooled_percentiles_are_over_all_samples_not_an_average_of_windows() -> None:
    fast = gathered([0.010] * 99)
    slow = gathered([0.010] * 97 + [0.500] * 3)
    window = pool([fast, slow])
    # 199 samples, the last 3 slow: p99 (rank 196 of 0..198) is a slow one; the mean of the two
    # windows' own p99s would say 255 ms.
    assert window.p99_ms == 500.0
    assert window.p50_ms == 10.0
    assert window.windows == 2
    assert window.deliveries == 199
    assert window.delivered_per_s == 99.5
    assert math.isnan(window.after_write_p99_ms) and math.isnan(window.write_p99_ms)


def test_after_write_subtracts_each_updates_own_commit() -> None:
    window = pool([gathered([0.030, 0.025, 0.012], writes=[0.020, 0.001, 0.002])])
    assert window.after_write_p50_ms == 10.0
    assert window.write_p99_ms == 20.0
    assert window.p50_ms == 25.0


def test_runner_matches_commits_to_updates_by_number() -> None:
    # What Runner.window does with a client's report: latencies and update numbers side by side.
    writes = array("d", [0.5, 0.25, 0.125])
    latencies, numbers = array("d", [1.0, 1.0, 1.0]), array("q", [2, 0, 1])
    after = [x - writes[n] for x, n in zip(latencies, numbers, strict=True)]
    assert after == [0.875, 0.5, 0.75]


def test_rows_judge_the_outbox_from_its_commit_and_show_the_commit_beside_it() -> None:
    peer = pool([gathered([0.020] * 100)])
    outbox = pool([gathered([0.040] * 100, writes=[0.015] * 100)])  # 25 ms after the commit
    # two stalled windows, one of which a long GC pause fell into
    outbox_stalled = pool(
        [
            gathered([0.040] * 50, writes=[0.015] * 50, gc_pauses=1),
            gathered([0.040] * 50, writes=[0.015] * 50),
        ]
    )
    stream = pool([gathered([0.050] * 100)])
    results = {
        ("peer", "plain"): peer,
        ("peer", "stalled"): peer,
        ("peer", "burst"): peer,
        ("outbox", "plain"): outbox,
        ("outbox", "stalled"): outbox_stalled,
        ("outbox", "burst"): outbox,
        ("stream", "plain"): stream,
        ("stream", "stalled"): stream,
        ("stream", "burst"): stream,
    }
    counts = NodeCounts(dropped=6, long_gc_pauses=2, full_collections=1)
    rows = {r.figure: r for r in size_rows(100, results, counts, repeats=3)}
    headline = rows["p99 latency, 100 clients, outbox (commit → socket)"]
    assert headline.ours == 25.0 and headline.met is True  # 1.25x the peer's 20 ms
    assert rows["p99 latency, 100 clients, outbox incl. the producer's commit"].ours == 40.0
    assert rows["producer's commit p99 (fsync), 100 clients"].ours == 15.0
    assert rows["p99 latency, 100 clients, stream"].met is False  # 2.5x
    assert rows["stalled clients dropped (4008), 100 clients"].goal == "of 6 stalled"
    gc_row = rows["our GC pauses >= 100 ms (policy's full collections), 100 clients"]
    assert (gc_row.ours, gc_row.goal) == (2.0, "1 full")
    assert rows["lost by keeping-up clients, 100 clients"].met is True
    inside = rows[
        "our GC pauses >= 100 ms inside the measured windows, 100 clients, outbox (commit → socket)"
    ]
    assert (inside.ours, inside.goal) == (1.0, "plain 0, stalled 1")
    inside = rows["our GC pauses >= 100 ms inside the measured windows, 100 clients, stream"]
    assert (inside.ours, inside.goal) == (0.0, "plain 0, stalled 0")
