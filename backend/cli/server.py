"""``pingan serve``, ``pingan migrate``, ``pingan config``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

import click
import uvicorn

from backend.app import create_app
from backend.cli.common import connect, run, services, settings_from_env
from backend.gc_policy import GcPolicy
from backend.logs import configure_logging
from backend.realtime.direct import expose_transports
from backend.settings import Settings, describe_settings
from backend.storage.postgres.migrate import migrate

log = logging.getLogger("pingan.cli")


@click.command()
@click.option("--host", default=None, help="Interface to bind (PINGAN_HOST).")
@click.option(
    "--port", type=int, default=None, help="Port to bind, 0 for any free one (PINGAN_PORT)."
)
def serve(host: str | None, port: int | None) -> None:
    """Run the backend alone (production and tests)."""
    settings = settings_from_env(host=host, port=port)
    configure_logging(settings.log_level, json=settings.log_json)
    with services(settings) as resolved:
        serve_until_stopped(resolved)


def serve_until_stopped(
    settings: Settings, on_started: Callable[[int], None] | None = None
) -> None:
    """Run uvicorn on ``settings`` until SIGINT/SIGTERM; ``on_started`` gets the bound port."""
    # process-wide, so owned here rather than by the app (see backend/gc_policy.py)
    policy = GcPolicy(settings.gc_freeze_interval_s) if settings.gc_freeze_interval_s else None
    config = uvicorn.Config(
        # The realtime hub writes event frames straight into idle sockets (realtime/direct.py).
        expose_transports(create_app(settings, gc_policy=policy)),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        ws_max_size=settings.ws_max_message_bytes,
        # Compressing every message once per socket costs more CPU than it saves on a LAN wall.
        ws_per_message_deflate=False,
        loop="uvloop",
        ws_ping_interval=settings.ws_ping_interval_s,
        ws_ping_timeout=settings.ws_ping_interval_s,
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn has no started event
            await asyncio.sleep(0.05)
        if server.started:
            port = (
                server.servers[0].sockets[0].getsockname()[1] if server.servers else settings.port
            )
            log.info("backend listening", extra={"host": settings.host, "port": port})
            if on_started is not None:
                on_started(port)
        if policy is None or not server.started:
            await task
        else:
            policy.start()  # after startup: what it built lives as long as the process
            ticking = asyncio.create_task(policy.run(), name="gc-policy")
            try:
                await task
            finally:
                ticking.cancel()
                policy.stop()
        if not server.started:
            raise click.ClickException("the backend did not start; see the log above")

    try:
        run(main(), loop_factory=config.get_loop_factory())  # uvloop, as configured above
    except KeyboardInterrupt:
        # uvicorn shuts down gracefully on Ctrl-C, then re-raises the signal it caught: by now
        # everything is stopped, so this is a normal end (exit 0), not click's "Aborted!".
        log.info("backend stopped by Ctrl-C")


@click.command("migrate")
def migrate_cmd() -> None:
    """Apply pending database migrations (safe to run on several nodes at once)."""
    settings = settings_from_env()
    configure_logging(settings.log_level, json=False)
    with services(settings) as resolved:
        applied = run(_migrate(resolved))
    for name in applied:
        click.echo(f"applied {name}")
    if not applied:
        click.echo("nothing to apply: the database is current")


async def _migrate(settings: Settings) -> list[str]:
    conn = await connect(settings)
    try:
        return [m.name for m in await migrate(conn)]
    finally:
        await conn.close()


@click.command("config")
def config_cmd() -> None:
    """Print the effective configuration (secrets hidden)."""
    click.echo(json.dumps(describe_settings(settings_from_env()), indent=2, ensure_ascii=False))
