"""Helpers every ``pingan`` subcommand shares: settings, embedded services, asyncio entry, progress."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import asyncpg
import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from backend.embedded import EmbeddedServiceError, resolve_services
from backend.settings import ConfigError, Settings, load_settings
from backend.storage.postgres.migrate import MigrationError

T = TypeVar("T")
console = Console(stderr=True)
log = logging.getLogger("pingan.cli")


def settings_from_env(**overrides: Any) -> Settings:
    """Settings from the environment plus the given non-None overrides; bad values exit cleanly."""
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextlib.contextmanager
def services(settings: Settings) -> Iterator[Settings]:
    """Settings pointing at running servers (embedded ones started when no URL is set)."""
    try:
        with resolve_services(settings) as resolved:
            yield resolved
    except EmbeddedServiceError as exc:
        raise click.ClickException(str(exc)) from None


def run(
    coro: Coroutine[Any, Any, T],
    *,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> T:
    """Run ``coro`` (on a loop from ``loop_factory``, e.g. uvloop's, when given); database and
    migration failures become one-line CLI errors."""
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(coro)
    except MigrationError as exc:
        raise click.ClickException(f"migration failed: {exc}") from None
    except (OSError, asyncpg.PostgresError) as exc:
        raise click.ClickException(f"database error: {type(exc).__name__}: {exc}") from None


def progress_bar() -> Progress:
    """A progress bar on stderr for long-running commands."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        # Off a terminal (CI, `make demo | tee`) a bar cannot redraw; drawn anyway it left one
        # blank line per task. The summary lines say what was done.
        disable=not console.is_terminal,
    )


async def connect(settings: Settings) -> asyncpg.Connection[Any]:
    """One connection to the configured database, with the pool's JSON codecs."""
    from backend.storage.postgres.pool import init_connection

    conn: asyncpg.Connection[Any] = await asyncpg.connect(settings.database_url)
    await init_connection(conn)
    return conn
