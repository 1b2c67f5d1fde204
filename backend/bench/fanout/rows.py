"""The report: table rows of one client count and the p99-over-clients plot series."""

from __future__ import annotations

from backend.bench.fanout.measure import Window
from backend.bench.fanout.plan import PEER, Plan
from backend.bench.table import BenchRow, BenchSeries


def size_rows(
    clients: int,
    ours: dict[tuple[str, str], Window],
    peer: dict[tuple[str, str], Window],
    dropped: int,
) -> list[BenchRow]:
    """The table rows of one client count."""
    rows: list[BenchRow] = []
    bare = peer["peer", "plain"]
    stalled = max(1, clients // 100)
    for path in ("outbox", "stream"):
        plain, slow, burst = ours[path, "plain"], ours[path, "stalled"], ours[path, "burst"]
        at = f"{clients:,} clients, {path}"
        rows += [
            BenchRow(
                bench="fanout",
                figure=f"p50 latency, {at}",
                unit="ms",
                ours=plain.p50_ms,
                peer=bare.p50_ms,
                peer_name=PEER,
            ),
            BenchRow(
                bench="fanout",
                figure=f"p99 latency, {at}",
                unit="ms",
                ours=plain.p99_ms,
                peer=bare.p99_ms,
                peer_name=PEER,
                goal="<= 1.5x peer",
                met=plain.p99_ms <= 1.5 * bare.p99_ms,
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
                ours=slow.p99_ms,
                peer=plain.p99_ms,
                peer_name="ours without stalled clients",
                goal="<= 1.2x",
                met=slow.p99_ms <= 1.2 * plain.p99_ms,
            ),
            BenchRow(
                bench="fanout",
                figure=f"p99 with {stalled} stalled, {at}",
                unit="ms",
                ours=slow.p99_ms,
                peer=peer["peer", "stalled"].p99_ms,
                peer_name=f"{PEER}, {stalled} stalled",
            ),
            BenchRow(
                bench="fanout",
                figure=f"burst delivered, {at}",
                unit="msg/s",
                ours=burst.delivered_per_s,
                peer=peer["peer", "burst"].delivered_per_s,
                peer_name=PEER,
            ),
        ]
    lost = sum(w.missing + w.closed for w in ours.values())
    rows += [
        BenchRow(
            bench="fanout",
            figure=f"lost by keeping-up clients, {clients:,} clients",
            unit="msgs",
            ours=float(lost),
            peer=float(sum(w.missing + w.closed for w in peer.values())),
            peer_name=PEER,
            goal="0",
            met=lost == 0,
        ),
        BenchRow(
            bench="fanout",
            figure=f"stalled clients dropped (4008), {clients:,} clients",
            unit="clients",
            ours=float(dropped),
            goal=f"of {2 * stalled} stalled",
        ),
    ]
    return rows


def fanout_curve(
    plan: Plan,
    ours: dict[int, tuple[dict[tuple[str, str], Window], int]],
    peer: dict[int, dict[tuple[str, str], Window]],
) -> BenchSeries:
    """p99 latency over client count for each of our paths and the bare server."""
    lines: dict[str, list[tuple[float, float]]] = {}
    for clients in plan.clients:
        results = ours[clients][0]
        for label, window in (
            ("ours, outbox (commit → socket)", results["outbox", "plain"]),
            ("ours, stream (hub → socket)", results["stream", "plain"]),
            ("ours, outbox, 1 % stalled", results["outbox", "stalled"]),
            (PEER, peer[clients]["peer", "plain"]),
        ):
            lines.setdefault(label, []).append((float(clients), window.p99_ms))
    return BenchSeries(
        bench="fanout",
        name="fanout-p99-by-clients",
        title=f"fan-out p99 over client count ({plan.rate_per_s:g} updates/s)",
        kind="curve",
        unit="p99 latency (ms)",
        x_label="connected clients",
        points=lines,
    )
