"""``pingan bench [NAME ...]``: every benchmark, one table, each figure beside its peer."""

from __future__ import annotations

import asyncio
import importlib
import json
import platform
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import msgspec

from backend.bench.table import BenchRow
from backend.cli.common import console, services, settings_from_env
from backend.logs import configure_logging
from backend.settings import Settings

Runner = Callable[[Settings, bool], Coroutine[Any, Any, list[BenchRow]]]
# Each bench module is imported only when that bench runs: they pull in clients and data
# generators the rest of the CLI never needs.


async def _positions(settings: Settings, quick: bool) -> list[BenchRow]:
    from backend.bench.positions import run_positions_bench

    return await run_positions_bench(settings.redis_url or "", quick=quick)


async def _fanout(settings: Settings, quick: bool) -> list[BenchRow]:
    from backend.bench.fanout import run_fanout_bench

    return await run_fanout_bench(
        settings.database_url or "", settings.redis_url or "", quick=quick
    )


async def _blockdata(settings: Settings, quick: bool) -> list[BenchRow]:
    module = importlib.import_module("backend.bench.blockdata")
    rows: list[BenchRow] = await module.run_blockdata_bench(
        settings.database_url or "", quick=quick
    )
    return rows


async def _timers(settings: Settings, quick: bool) -> list[BenchRow]:
    from backend.bench.timers import run_timers_bench

    return await run_timers_bench(
        settings.database_url or "", settings.redis_url or "", quick=quick
    )


async def _dispatch(settings: Settings, quick: bool) -> list[BenchRow]:
    from backend.bench.dispatch import run_dispatch_bench

    return await run_dispatch_bench(
        settings.database_url or "", settings.redis_url or "", quick=quick
    )


BENCHES: dict[str, Runner] = {
    "dispatch": _dispatch,
    "positions": _positions,
    "fanout": _fanout,
    "blockdata": _blockdata,
    "timers": _timers,
}


def _table(rows: list[BenchRow]) -> str:
    lines = [
        "| bench | figure | ours | peer | ratio | goal | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        peer = f"{r.peer:,.3g} ({r.peer_name})" if r.peer is not None else "—"
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[r.met]
        lines.append(
            f"| {r.bench} | {r.figure} | {r.ours:,.4g} {r.unit} | {peer} | {ratio} | {r.goal or '—'} | {met} |"
        )
    return "\n".join(lines)


@click.command("bench")
@click.argument("names", nargs=-1, type=click.Choice(sorted(BENCHES)))
@click.option("--quick", is_flag=True, help="Small sizes: a smoke run, not figures to quote.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("artifacts/bench"),
    show_default=True,
    help="Where the JSON and Markdown reports go.",
)
def bench(names: tuple[str, ...], quick: bool, out: Path) -> None:
    """Run benchmarks (all by default) and print one table; writes bench.json and bench.md."""
    settings = settings_from_env()
    configure_logging("WARNING", json=False)
    chosen = list(names) or list(BENCHES)
    rows: list[BenchRow] = []
    with services(settings) as resolved:
        for name in chosen:
            started = time.monotonic()
            console.print(f"bench {name} …")
            try:
                rows += asyncio.run(BENCHES[name](resolved, quick))
            except ImportError as exc:
                console.print(f"[red]bench {name} is not available: {exc}")
                continue
            console.print(f"bench {name} done in {time.monotonic() - started:.0f} s")
    table = _table(rows)
    click.echo(table)
    out.mkdir(parents=True, exist_ok=True)
    header = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({platform.machine()}, {platform.processor() or 'cpu'})"
    (out / "bench.md").write_text(
        f"Measured {header}{' (quick)' if quick else ''}\n\n{table}\n", encoding="utf-8"
    )
    (out / "bench.json").write_text(
        json.dumps(
            {"measured": header, "quick": quick, "rows": msgspec.to_builtins(rows)}, indent=2
        ),
        encoding="utf-8",
    )
    console.print(f"reports in {out}/bench.md and bench.json")
