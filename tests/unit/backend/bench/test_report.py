"""The one benchmark report: table, JSON, PNG plots and the README's dated copy."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.bench import report
from backend.bench.table import BenchRow, BenchSeries

WHEN = datetime(2026, 11, 28, 21, 5, tzinfo=UTC)
ROWS = [
    BenchRow(
        bench="positions",
        figure="nearest p99",
        unit="ms",
        ours=0.6,
        peer=1.2,
        peer_name="GEOSEARCH",
        goal="<= 0.5x peer",
        met=True,
    ),
    BenchRow(bench="timers", figure="fired exactly once", unit="timers", ours=200.0, met=False),
]
SERIES = [
    BenchSeries(
        bench="timers",
        name="timers-lateness",
        title="lateness",
        kind="distribution",
        unit="ms",
        samples={"ours": [1.0, 2.0, 3.0, 50.0], "loop.call_later": [0.5, 0.6, 0.7]},
    ),
    BenchSeries(
        bench="fanout",
        name="fanout-p99-by-clients",
        title="p99 over clients",
        kind="curve",
        unit="ms",
        x_label="clients",
        points={"ours": [(5000.0, 900.0), (1000.0, 100.0)], "peer": [(1000.0, 90.0)]},
    ),
]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_table_has_every_row_with_ratio_goal_and_verdict() -> None:
    table = report.markdown_table(ROWS).splitlines()
    assert len(table) == 2 + len(ROWS)
    assert (
        "| positions | nearest p99 | 0.6 ms | 1.2 (GEOSEARCH) | 0.50× | <= 0.5x peer | yes |"
        in table
    )
    assert table[-1].endswith("| — | — | **no** |")


def test_write_produces_markdown_json_and_real_pngs(tmp_path: Path) -> None:
    written = report.write(tmp_path, ROWS, SERIES, WHEN, 600.0, quick=False)
    names = {p.name for p in written}
    assert names == {"bench.md", "bench.json", "timers-lateness.png", "fanout-p99-by-clients.png"}
    for png in tmp_path.glob("*.png"):
        width, height = png_size(png)
        assert width > 400 and height > 300
    md = (tmp_path / "bench.md").read_text()
    assert md.startswith("Measured 2026-11-28 21:05 UTC on ")
    assert "10.0 min in all." in md
    assert "![fanout-p99-by-clients](fanout-p99-by-clients.png)" in md
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["quick"] is False and data["measured_at"] == WHEN.isoformat()
    assert [r["ratio"] for r in data["rows"]] == [0.5, None]
    assert data["plots"] == ["timers-lateness.png", "fanout-p99-by-clients.png"]


def test_quick_runs_say_so(tmp_path: Path) -> None:
    report.write(tmp_path, ROWS, [], WHEN, 30.0, quick=True)
    assert "quick sizes, not figures to quote" in (tmp_path / "bench.md").read_text()


def test_readme_section_is_replaced_between_the_markers_only(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Title\n\nbefore\n\n{report.README_START}\nold table\n{report.README_END}\n\nafter\n"
    )
    report.update_readme(readme, ROWS, WHEN, 720.0)
    text = readme.read_text()
    assert "old table" not in text
    assert text.startswith("# Title\n\nbefore\n\n")
    assert text.endswith(f"{report.README_END}\n\nafter\n")
    assert "Measured 2026-11-28 21:05 UTC on " in text and "12.0 min in all." in text
    assert "| timers | fired exactly once |" in text
    report.update_readme(readme, ROWS[:1], WHEN, 720.0)  # a second run replaces, not appends
    assert readme.read_text().count(report.README_START) == 1
    assert "fired exactly once" not in readme.read_text()


def test_readme_without_markers_is_left_alone(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    with pytest.raises(ValueError, match="bench:start"):
        report.update_readme(readme, ROWS, WHEN, 1.0)
    assert readme.read_text() == "# no markers\n"


def test_the_project_readme_has_the_markers() -> None:
    text = (Path(__file__).parents[4] / "README.md").read_text()
    assert text.count(report.README_START) == 1 and text.count(report.README_END) == 1
