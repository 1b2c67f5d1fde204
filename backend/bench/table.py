"""The shapes of a benchmark report, shared by every benchmark module: rows and plot series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import msgspec


class BenchRow(msgspec.Struct, frozen=True, kw_only=True):
    """A measured figure beside its peer measured in the same run.

    `ratio` is ours divided by the peer's; `goal` says in words what ratio (or value) we aim for,
    and `met` whether this run met it (None when the row has no goal).
    """

    bench: str
    figure: str
    unit: str
    ours: float
    peer: float | None = None
    peer_name: str = ""
    goal: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        """Ours over the peer's figure, or None when there is no peer."""
        if self.peer is None or self.peer == 0:
            return None
        return self.ours / self.peer


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples`` by nearest rank; 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def format_rows(rows: Sequence[BenchRow]) -> str:
    """The rows as a plain-text table (what ``python -m backend.bench.<name>`` prints)."""
    lines = [f"{'figure':<48} {'unit':>9} {'ours':>12} {'peer':>12} {'ratio':>7}  peer / goal"]
    for r in rows:
        peer = "" if r.peer is None else f"{r.peer:12.3f}"
        ratio = "" if r.ratio is None else f"{r.ratio:7.2f}"
        met = {None: "", True: " [met]", False: " [NOT met]"}[r.met]
        lines.append(
            f"{r.figure:<48} {r.unit:>9} {r.ours:12.3f} {peer:>12} {ratio:>7}  {r.peer_name} {r.goal}{met}"
        )
    return "\n".join(lines)


class BenchSeries(msgspec.Struct, frozen=True, kw_only=True):
    """Measurements a person would rather look at than read, drawn by `backend.bench.plots`.

    A ``distribution`` holds raw samples per label (drawn as CDFs, where the tail shows);
    a ``curve`` holds (x, y) points per label (drawn as lines, e.g. p99 over client count).
    """

    bench: str
    name: str  # the PNG's file stem
    title: str
    kind: Literal["distribution", "curve"]
    unit: str  # of the samples, or of y
    x_label: str = ""
    samples: dict[str, list[float]] = msgspec.field(default_factory=dict)
    points: dict[str, list[tuple[float, float]]] = msgspec.field(default_factory=dict)
