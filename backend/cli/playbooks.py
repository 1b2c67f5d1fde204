"""``pingan playbooks check`` and ``pingan playbooks drill``."""

from __future__ import annotations

from pathlib import Path

import click

from playbooks.drill import drill_library, format_report, load_scenario, unmet_expectations
from playbooks.errors import PlaybookError
from playbooks.loader import check_files, library_dir, load_library


@click.group("playbooks")
def playbooks_group() -> None:
    """The playbook library: check files, drill incidents through it."""


@playbooks_group.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Check playbook files (default: the shipped library); exit 1 naming every problem."""
    targets = list(files) or [library_dir()]
    problems = check_files(targets)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the playbooks")
    click.echo(f"playbooks ok: {', '.join(str(t) for t in targets)}")


@playbooks_group.command("drill")
@click.argument("playbook", required=False)
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="A scenario YAML (see playbooks/library/scenarios/).",
)
@click.option(
    "--library",
    "library_path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Playbook folder (default: the shipped library).",
)
def drill(playbook: str | None, scenario_path: Path, library_path: Path | None) -> None:
    """Run a synthetic incident through the library on a virtual clock; pages nobody.

    Prints the timeline with every deadline met or missed; exits 1 when the scenario's
    expectations are not met.
    """
    try:
        library = load_library(library_path or library_dir())
        scenario = load_scenario(scenario_path)
        report = drill_library(library, scenario)
    except PlaybookError as exc:
        raise click.ClickException(str(exc)) from None
    if playbook is not None and report.playbook.id != playbook:
        raise click.ClickException(
            f"the scenario drills playbook {report.playbook.id}, not {playbook}"
        )
    click.echo(format_report(report))
    unmet = unmet_expectations(report, scenario.expect)
    if unmet:
        raise click.ClickException("; ".join(unmet))
