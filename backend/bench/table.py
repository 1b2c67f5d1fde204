"""One row of a benchmark report, shared by every benchmark module."""

from __future__ import annotations

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
