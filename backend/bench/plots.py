"""PNG plots of a benchmark run: latency distributions as CDFs and curves such as fan-out p99
over client count, each with its peer drawn beside ours."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

# Figure objects, not pyplot: no global state, no display backend to pick (savefig uses Agg).
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from backend.bench.table import BenchSeries


def _draw_distribution(ax: Axes, series: BenchSeries) -> None:
    for label, samples in series.samples.items():
        if not samples:
            continue
        ordered = sorted(samples)
        n = len(ordered)
        ax.plot(ordered, [(i + 1) / n for i in range(n)], label=f"{label} (n={n:,})")
    ax.set_xlabel(series.unit)
    ax.set_ylabel("share of samples ≤ x")
    # Latencies span orders of magnitude, and the tail is what matters: log x.
    if all(v > 0 for s in series.samples.values() for v in s):
        ax.set_xscale("log")
    ax.axhline(0.99, color="grey", linewidth=0.6, linestyle=":")
    ax.text(ax.get_xlim()[0], 0.99, " p99", va="bottom", fontsize=8, color="grey")


def _draw_curve(ax: Axes, series: BenchSeries) -> None:
    for label, points in series.points.items():
        ordered = sorted(points)
        ax.plot([x for x, _ in ordered], [y for _, y in ordered], marker="o", label=label)
    ax.set_xlabel(series.x_label)
    ax.set_ylabel(series.unit)
    ax.set_ylim(bottom=0)


def draw(series: BenchSeries, out: Path) -> Path:
    """Draws one series to ``out/<name>.png`` and returns the path."""
    fig = Figure(figsize=(8, 5), dpi=110)
    ax = fig.subplots()
    if series.kind == "distribution":
        _draw_distribution(ax, series)
    else:
        _draw_curve(ax, series)
    ax.set_title(series.title)
    ax.grid(visible=True, linewidth=0.4, alpha=0.6)
    ax.legend(loc="best", fontsize=9)
    fig.tight_layout()
    path = out / f"{series.name}.png"
    fig.savefig(path)
    return path


def draw_all(all_series: Sequence[BenchSeries], out: Path) -> list[Path]:
    """Every series as a PNG in ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    return [draw(s, out) for s in all_series]
