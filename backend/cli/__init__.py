"""The ``pingan`` command line: one group, one module per area of subcommands."""

from __future__ import annotations

import click

from backend.cli.bench import bench
from backend.cli.data import geography_group, import_group
from backend.cli.demo import demo
from backend.cli.playbooks import playbooks_group
from backend.cli.security import audit_group, keys_group, users_group
from backend.cli.server import config_cmd, migrate_cmd, serve
from backend.cli.simulate import simulate_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Ping'an Command: the real-time command center for municipal social governance."""


for command in (
    serve,
    demo,
    migrate_cmd,
    config_cmd,
    import_group,
    geography_group,
    users_group,
    audit_group,
    keys_group,
    playbooks_group,
    bench,
    simulate_group,
):
    main.add_command(command)
