"""The one benchmark report: a Markdown table, JSON, PNG plots, and the README's copy of it."""

from __future__ import annotations

import json
import os
import platform
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import msgspec

from backend.bench.table import BenchRow, BenchSeries

README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"


def machine() -> str:
    """Where the figures came from, as a reader needs it to weigh them."""
    cores = os.cpu_count() or 0
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return f"{platform.node()} ({platform.machine()}, {cores} cores{memory}, Python {platform.python_version()})"


def markdown_table(rows: Sequence[BenchRow]) -> str:
    """Each figure beside its peer, the ratio and the goal."""
    lines = [
        "| bench | figure | ours | peer | ratio | goal | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        peer = f"{r.peer:,.3g} ({r.peer_name})" if r.peer is not None else "—"
        ratio = _ratio(r.ratio)
        met = {True: "yes", False: "**no**", None: "—"}[r.met]
        lines.append(
            f"| {r.bench} | {r.figure} | {r.ours:,.4g} {r.unit} | {peer} | {ratio} | {r.goal or '—'} | {met} |"
        )
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    # Two decimals hide a query 1,000 times faster than its peer as "0.00×": small ratios get
    # significant digits instead.
    if value is None:
        return "—"
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.2g}×"


def heading(measured_at: datetime, elapsed_s: float, quick: bool) -> str:
    """The line that dates a table and names its machine."""
    kind = " — quick sizes, not figures to quote" if quick else ""
    return (
        f"Measured {measured_at:%Y-%m-%d %H:%M} UTC on {machine()}, "
        f"{elapsed_s / 60:.1f} min in all{kind}."
    )


def markdown(
    rows: Sequence[BenchRow],
    plots: Sequence[Path],
    measured_at: datetime,
    elapsed_s: float,
    quick: bool,
) -> str:
    """The whole report as Markdown; plot links are relative to the report's folder."""
    parts = [heading(measured_at, elapsed_s, quick), "", markdown_table(rows)]
    if plots:
        parts += ["", *[f"![{p.stem}]({p.name})" for p in plots]]
    return "\n".join(parts) + "\n"


def write(
    out: Path,
    rows: Sequence[BenchRow],
    series: Sequence[BenchSeries],
    measured_at: datetime,
    elapsed_s: float,
    quick: bool,
) -> list[Path]:
    """Writes bench.md, bench.json and the plots into ``out``; returns the files written."""
    from backend.bench.plots import draw_all  # matplotlib is slow to import; only here

    out.mkdir(parents=True, exist_ok=True)
    plots = draw_all(series, out)
    md = out / "bench.md"
    md.write_text(markdown(rows, plots, measured_at, elapsed_s, quick), encoding="utf-8")
    data = {
        "measured": heading(measured_at, elapsed_s, quick),
        "measured_at": measured_at.isoformat(),
        "machine": machine(),
        "quick": quick,
        "elapsed_s": round(elapsed_s, 1),
        "rows": [msgspec.to_builtins(r) | {"ratio": r.ratio} for r in rows],
        "plots": [p.name for p in plots],
    }
    js = out / "bench.json"
    js.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return [md, js, *plots]


def update_readme(
    readme: Path, rows: Sequence[BenchRow], measured_at: datetime, elapsed_s: float
) -> None:
    """Replaces the table between the README's bench markers with this run's.

    Raises ValueError when the markers are missing, so a run never edits the wrong place.
    """
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{readme} has no {README_START} … {README_END} section")
    body = f"{README_START}\n{heading(measured_at, elapsed_s, False)}\n\n{markdown_table(rows)}\n{README_END}"
    readme.write_text(pattern.sub(lambda _m: body, text, count=1), encoding="utf-8")
