"""``pingan import ...`` and ``pingan geography ...``: files in, database rows out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import msgspec

from backend.cli.common import connect, progress_bar, run, services, settings_from_env
from backend.imports.addresses import ADDRESSES
from backend.imports.blockdata import KINDS
from backend.imports.boundaries import BoundaryImportError, BoundaryImportResult, import_boundaries
from backend.imports.engine import ImportSummary, KindSpec, Reject, run_import
from backend.imports.readers import count_rows, read_rows
from backend.logs import configure_logging
from backend.security.crypto import FieldCipher
from backend.security.keys import load_keyring
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


def _reject_option(fn: Any) -> Any:
    return click.option(
        "--rejects",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Where to write rejected rows (default FILE.rejects.jsonl).",
    )(fn)


def _make_import_command(spec: KindSpec) -> click.Command:
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @_reject_option
    def command(file: Path, rejects: Path | None) -> None:
        settings = settings_from_env()
        configure_logging(settings.log_level, json=False)
        reject_path = rejects or file.with_suffix(".rejects.jsonl")
        with services(settings) as resolved:
            summary = run(load_kind(resolved, spec, file, reject_path))
        click.echo(msgspec.json.encode(summary).decode())
        if summary.rejected:
            click.echo(f"{summary.rejected} rows rejected: see {reject_path}", err=True)

    command.__doc__ = (
        f"Import {spec.name} from CSV, JSON Lines or GeoJSON; re-import is idempotent. "
        "Bad rows are written to the rejects file with their line, field and reason."
    )
    return import_group.command(spec.name)(command)


for _spec in KINDS.values():
    _make_import_command(_spec)


async def load_kind(
    settings: Settings, spec: KindSpec, file: Path, reject_path: Path, *, quiet: bool = False
) -> ImportSummary:
    """Migrate, then import ``file`` as ``spec``'s kind with a progress bar, rejects as JSON lines."""
    conn = await connect(settings)
    try:
        await migrate(conn)
        cipher = FieldCipher(load_keyring(settings))
        total = count_rows(file)
        with reject_path.open("wb") as rej, progress_bar() as progress:
            task = progress.add_task(f"{spec.name} from {file.name}", total=total or None)

            def on_reject(r: Reject) -> None:
                rej.write(msgspec.json.encode(r) + b"\n")

            def on_progress(n: int) -> None:
                if not quiet:
                    progress.update(task, completed=n)

            try:
                return await run_import(
                    conn,
                    spec,
                    read_rows(file, spec.required),
                    cipher=cipher,
                    on_reject=on_reject,
                    on_progress=on_progress,
                )
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
    finally:
        await conn.close()


async def load_addresses(settings: Settings, file: Path, reject_path: Path) -> ImportSummary:
    """Migrate, then import an address CSV."""
    return await load_kind(settings, ADDRESSES, file, reject_path)


async def load_blockdata(settings: Settings, files: dict[str, Path]) -> dict[str, ImportSummary]:
    """Import every kind found in ``files`` (kind -> file) in dependency order, rejects beside
    each file; boundaries are not imported here."""
    done: dict[str, ImportSummary] = {}
    for kind, spec in KINDS.items():
        path = files.get(kind)
        if path is not None:
            done[kind] = await load_kind(settings, spec, path, path.with_suffix(".rejects.jsonl"))
    return done


@import_group.command("blockdata")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_blockdata_cmd(folder: Path) -> None:
    """Import a whole generated data set (boundaries, then every kind in order) from FOLDER."""
    settings = settings_from_env()
    configure_logging(settings.log_level, json=False)
    with services(settings) as resolved:
        boundaries = folder / "boundaries.geojson"
        if boundaries.exists():
            run(load_boundaries(resolved, boundaries))
        files = {}
        for kind in KINDS:
            found = sorted(folder.glob(f"{kind}.*"))
            data = [f for f in found if not f.name.endswith(".rejects.jsonl")]
            if data:
                files[kind] = data[0]
        for kind, summary in run(load_blockdata(resolved, files)).items():
            click.echo(f"{kind}: {msgspec.json.encode(summary).decode()}")


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


@geography_group.command("blockdata")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--scale",
    type=click.FloatRange(0.0001, 2.0),
    default=0.05,
    show_default=True,
    help="1 = the seed's Pingshan (595,500 addresses, 707,700 people).",
)
@click.option("--seed", type=int, default=2026, show_default=True)
def geography_blockdata(out: Path, scale: float, seed: int) -> None:
    """Write a synthetic block-data set (addresses, buildings, houses, people, …) into OUT."""
    from simulators.blockdata import write_blockdata

    files = write_blockdata(out, scale=scale, seed=seed)
    click.echo(
        f"wrote {len(files)} files into {out}; load them with `pingan import blockdata {out}`"
    )
