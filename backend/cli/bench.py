"""``pingan bench [NAME ...]``: every benchmark, one table, each figure beside its peer."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from backend.bench import report
from backend.bench.table import BenchRow, BenchSeries
from backend.cli.common import console, services, settings_from_env
from backend.logs import configure_logging
from backend.settings import Settings

Runner = Callable[[Settings, bool, list[BenchSeries]], Coroutine[Any, Any, list[BenchRow]]]
# Each bench module is imported only when that bench runs: they pull in clients and data
# generators the rest of the CLI never needs.


async def _positions(settings: Settings, quick: bool, series: list[BenchSeries]) -> list[BenchRow]:
    from backend.bench.positions import run_positions_bench

    return await run_positions_bench(settings.redis_url or "", quick=quick, series=series)


async def _fanout(settings: Settings, quick: bool, series: list[BenchSeries]) -> list[BenchRow]:
    from backend.bench.fanout import run_fanout_bench

    return await run_fanout_bench(
        settings.database_url or "", settings.redis_url or "", quick=quick, series=series
    )


async def _blockdata(settings: Settings, quick: bool, _series: list[BenchSeries]) -> list[BenchRow]:
    module = importlib.import_module("backend.bench.blockdata")
    rows: list[BenchRow] = await module.run_blockdata_bench(
        settings.database_url or "", quick=quick
    )
    return rows


async def _timers(settings: Settings, quick: bool, series: list[BenchSeries]) -> list[BenchRow]:
    from backend.bench.timers import run_timers_bench

    return await run_timers_bench(
        settings.database_url or "", settings.redis_url or "", quick=quick, series=series
    )


async def _dispatch(settings: Settings, quick: bool, series: list[BenchSeries]) -> list[BenchRow]:
    from backend.bench.dispatch import run_dispatch_bench

    return await run_dispatch_bench(
        settings.database_url or "", settings.redis_url or "", quick=quick, series=series
    )


BENCHES: dict[str, Runner] = {
    "dispatch": _dispatch,
    "positions": _positions,
    "fanout": _fanout,
    "blockdata": _blockdata,
    "timers": _timers,
}


@click.command("bench")
@click.argument("names", nargs=-1, type=click.Choice(sorted(BENCHES)))
@click.option("--quick", is_flag=True, help="Small sizes: a smoke run, not figures to quote.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("artifacts/bench"),
    show_default=True,
    help="Where the JSON and Markdown reports and the PNG plots go.",
)
@click.option(
    "--update-readme",
    is_flag=True,
    help="Also put the table, dated and with its machine, in README.md (full runs of every bench only).",
)
def bench(names: tuple[str, ...], quick: bool, out: Path, update_readme: bool) -> None:
    """Run benchmarks (all by default) and print one table; writes bench.md, bench.json and PNGs."""
    if update_readme and (quick or names):
        raise click.UsageError(
            "--update-readme takes a full run of every bench (no --quick, no names)"
        )
    settings = settings_from_env()
    configure_logging("WARNING", json=False)
    chosen = list(names) or list(BENCHES)
    rows: list[BenchRow] = []
    series: list[BenchSeries] = []
    measured_at = datetime.now(UTC)
    run_started = time.monotonic()
    failed: list[str] = []
    with services(settings) as resolved:
        for name in chosen:
            started = time.monotonic()
            console.print(f"bench {name} …")
            try:
                rows += asyncio.run(BENCHES[name](resolved, quick, series))
            except ImportError as exc:
                console.print(f"[red]bench {name} is not available: {exc}")
                failed.append(name)
                continue
            console.print(f"bench {name} done in {time.monotonic() - started:.0f} s")
    elapsed = time.monotonic() - run_started
    click.echo(report.markdown_table(rows))
    written = report.write(out, rows, series, measured_at, elapsed, quick)
    console.print(
        f"{len(rows)} rows in {elapsed / 60:.1f} min; wrote {', '.join(str(p) for p in written)}"
    )
    if update_readme and not failed:
        report.update_readme(Path("README.md"), rows, measured_at, elapsed)
        console.print("README.md's benchmark table updated")
    if failed:
        raise click.ClickException(f"benches not run: {', '.join(failed)}")
