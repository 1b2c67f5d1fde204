"""``pingan import ...`` and ``pingan geography ...``: files in, database rows out."""

from __future__ import annotations

from pathlib import Path

import click
import msgspec

from backend.cli.common import connect, progress_bar, run, services, settings_from_env
from backend.imports.addresses import ImportSummary, Reject, import_addresses, read_csv
from backend.imports.boundaries import BoundaryImportError, BoundaryImportResult, import_boundaries
from backend.logs import configure_logging
from backend.settings import Settings
from backend.storage.postgres.migrate import migrate


@click.group("import")
def import_group() -> None:
    """Load data files into the database."""


@import_group.command("boundaries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_boundaries_cmd(file: Path) -> None:
    """Import the jurisdiction tree from a GeoJSON FeatureCollection and polyfill it to H3."""
    settings = settings_from_env()
    configure_logging(settings.log_level, json=False)
    with services(settings) as resolved:
        result = run(load_boundaries(resolved, file))
    click.echo(
        f"{result.units} org units, {result.cells} cells ({result.contested_cells} contested)"
    )


async def load_boundaries(settings: Settings, file: Path) -> BoundaryImportResult:
    """Migrate, then import the boundary file; a bad file is a CLI error naming it."""
    conn = await connect(settings)
    try:
        await migrate(conn)
        try:
            return await import_boundaries(conn, file.read_bytes())  # noqa: ASYNC240 - CLI, nothing else runs
        except BoundaryImportError as exc:
            raise click.ClickException(f"{file.name}: {exc}") from None
    finally:
        await conn.close()


@import_group.command("addresses")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write rejected rows (default FILE.rejects.jsonl).",
)
def import_addresses_cmd(file: Path, rejects: Path | None) -> None:
    """Import unified addresses from CSV (id,text,lat,lon,building_id); re-import is idempotent."""
    settings = settings_from_env()
    configure_logging(settings.log_level, json=False)
    reject_path = rejects or file.with_suffix(".rejects.jsonl")
    with services(settings) as resolved:
        summary = run(load_addresses(resolved, file, reject_path))
    click.echo(msgspec.json.encode(summary).decode())
    if summary.rejected:
        click.echo(f"{summary.rejected} rows rejected: see {reject_path}", err=True)


async def load_addresses(settings: Settings, file: Path, reject_path: Path) -> ImportSummary:
    """Migrate, then import ``file`` with a progress bar, writing rejects as JSON lines."""
    conn = await connect(settings)
    try:
        await migrate(conn)
        with file.open(encoding="utf-8") as fh:
            total = max(0, sum(1 for _ in fh) - 1)
        with reject_path.open("wb") as rej, progress_bar() as progress:
            task = progress.add_task(f"addresses from {file.name}", total=total)

            def on_reject(r: Reject) -> None:
                rej.write(msgspec.json.encode(r) + b"\n")

            def on_progress(n: int) -> None:
                progress.update(task, completed=n)

            try:
                return await import_addresses(
                    conn, read_csv(file), on_reject=on_reject, on_progress=on_progress
                )
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
    finally:
        await conn.close()


@click.group("geography")
def geography_group() -> None:
    """The synthetic Pingshan geography."""


@geography_group.command("generate")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--addresses", type=click.IntRange(0, 2_000_000), default=20_000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
def geography_generate(out: Path, addresses: int, seed: int) -> None:
    """Write boundaries.geojson and addresses.csv for a synthetic Pingshan district."""
    from simulators.geography import write_geography

    boundaries, address_file = write_geography(out, addresses=addresses, seed=seed)
    click.echo(f"wrote {boundaries} and {address_file}")
