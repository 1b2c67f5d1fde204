"""The report: table rows of one client count and the p99-over-clients plot series."""

from __future__ import annotations

import msgspec

from backend.bench.fanout.measure import Window
from backend.bench.fanout.plan import PEER, Plan
from backend.bench.table import BenchRow, BenchSeries


class NodeCounts(msgspec.Struct, frozen=True, kw_only=True):
    """What our backend counted while one client count was measured (/api/realtime/stats)."""

    dropped: int
    long_gc_pauses: int
    """Garbage collections of 100 ms or more: each one stalls every socket of the node."""
    full_collections: int
    """Of those, the GC policy's own full collections (backend/gc_policy.py)."""


Measured = dict[int, tuple[dict[tuple[str, str], Window], NodeCounts]]


def _headline(window: Window, path: str) -> tuple[float, float]:
    """p50 and p99 of a path as the goal reads them: the outbox's from its commit returning."""
    if path == "outbox":
        return window.after_write_p50_ms, window.after_write_p99_ms
    return window.p50_ms, window.p99_ms


PATHS = {"outbox": "outbox (commit → socket)", "stream": "stream"}


def size_rows(
    clients: int, results: dict[tuple[str, str], Window], counts: NodeCounts, repeats: int
) -> list[BenchRow]:
    """The table rows of one client count."""
    rows: list[BenchRow] = []
    bare = results["peer", "plain"]
    stalled = max(1, clients // 100)
    for path, label in PATHS.items():
        plain, slow, burst = (results[path, phase] for phase in ("plain", "stalled", "burst"))
        p50, p99 = _headline(plain, path)
        slow_p99 = _headline(slow, path)[1]
        at = f"{clients:,} clients, {label}"
        rows += [
            BenchRow(
                bench="fanout",
                figure=f"p50 latency, {at}",
                unit="ms",
                ours=p50,
                peer=bare.p50_ms,
                peer_name=PEER,
            ),
            BenchRow(
                bench="fanout",
                figure=f"p99 latency, {at}",
                unit="ms",
                ours=p99,
                peer=bare.p99_ms,
                peer_name=PEER,
                goal="<= 1.5x peer",
                met=p99 <= 1.5 * bare.p99_ms,
            ),
            BenchRow(
                bench="fanout",
                figure=f"delivered, {at}",
                unit="msg/s",
                ours=plain.delivered_per_s,
                peer=bare.delivered_per_s,
                peer_name=PEER,
            ),
            BenchRow(
                bench="fanout",
                figure=f"p99 with {stalled} stalled / none, {at}",
                unit="ms",
                ours=slow_p99,
                peer=p99,
                peer_name="ours without stalled clients",
                goal="<= 1.2x",
                met=slow_p99 <= 1.2 * p99,
            ),
            BenchRow(
                bench="fanout",
                figure=f"p99 with {stalled} stalled, {at}",
                unit="ms",
                ours=slow_p99,
                peer=results["peer", "stalled"].p99_ms,
                peer_name=f"{PEER}, {stalled} stalled",
            ),
            BenchRow(
                bench="fanout",
                figure=f"burst delivered, {at}",
                unit="msg/s",
                ours=burst.delivered_per_s,
                peer=results["peer", "burst"].delivered_per_s,
                peer_name=PEER,
            ),
        ]
        rows.append(
            BenchRow(
                bench="fanout",
                figure=f"our GC pauses >= 100 ms inside the measured windows, {at}",
                unit="pauses",
                ours=float(plain.gc_pauses + slow.gc_pauses),
                goal=f"plain {plain.gc_pauses}, stalled {slow.gc_pauses}",
            )
        )
        if path == "outbox":
            # What a producer waits for before its event exists: the durable commit. Shown, not
            # judged: it is the disk's fsync, the same for any system that writes first.
            rows.append(
                BenchRow(
                    bench="fanout",
                    figure=f"p99 latency, {clients:,} clients, outbox incl. the producer's commit",
                    unit="ms",
                    ours=plain.p99_ms,
                    peer=bare.p99_ms,
                    peer_name=PEER,
                )
            )
            rows.append(
                BenchRow(
                    bench="fanout",
                    figure=f"producer's commit p99 (fsync), {clients:,} clients",
                    unit="ms",
                    ours=plain.write_p99_ms,
                )
            )
    lost = sum(w.missing + w.closed for (path, _), w in results.items() if path != "peer")
    rows += [
        BenchRow(
            bench="fanout",
            figure=f"lost by keeping-up clients, {clients:,} clients",
            unit="msgs",
            ours=float(lost),
            peer=float(
                sum(w.missing + w.closed for (path, _), w in results.items() if path == "peer")
            ),
            peer_name=PEER,
            goal="0",
            met=lost == 0,
        ),
        BenchRow(
            bench="fanout",
            figure=f"stalled clients dropped (4008), {clients:,} clients",
            unit="clients",
            ours=float(counts.dropped),
            goal=f"of {len(PATHS) * repeats * stalled} stalled",
        ),
        BenchRow(
            bench="fanout",
            figure=f"our GC pauses >= 100 ms (policy's full collections), {clients:,} clients",
            unit="pauses",
            ours=float(counts.long_gc_pauses),
            goal=f"{counts.full_collections} full",
        ),
    ]
    return rows


def fanout_curve(plan: Plan, measured: Measured) -> BenchSeries:
    """p99 latency over client count for each of our paths and the bare server."""
    lines: dict[str, list[tuple[float, float]]] = {}
    for clients in plan.clients:
        results = measured[clients][0]
        for label, p99 in (
            ("ours, outbox (commit → socket)", _headline(results["outbox", "plain"], "outbox")[1]),
            ("ours, outbox incl. the producer's commit", results["outbox", "plain"].p99_ms),
            ("ours, stream (hub → socket)", results["stream", "plain"].p99_ms),
            ("ours, outbox, 1 % stalled", _headline(results["outbox", "stalled"], "outbox")[1]),
            (PEER, results["peer", "plain"].p99_ms),
        ):
            lines.setdefault(label, []).append((float(clients), p99))
    return BenchSeries(
        bench="fanout",
        name="fanout-p99-by-clients",
        title=f"fan-out p99 over client count ({plan.rate_per_s:g} updates/s)",
        kind="curve",
        unit="p99 latency (ms)",
        x_label="connected clients",
        points=lines,
    )
