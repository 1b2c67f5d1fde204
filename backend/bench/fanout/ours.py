"""Our side: a scratch database with the bench accounts, the backend process, and emitters."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec

from backend.bench.fanout.plan import (
    DISTRICT,
    FILL_EVENT_BYTES,
    KIND,
    ORG_PATH,
    USERS,
    FanoutBenchError,
)
from backend.bench.fanout.wire import free_port, pace, update_payload
from backend.realtime.streams import EventStreams
from backend.security.policy import Role
from backend.security.users import UserCreate, create_user
from backend.storage.postgres.dsn import with_database
from backend.storage.postgres.migrate import migrate
from backend.storage.postgres.pool import init_connection

ROOT = Path(__file__).resolve().parents[3]  # the repository: `python -m backend` runs there


class Accounts(msgspec.Struct, frozen=True, kw_only=True):
    """Who the clients are: keepers, the stalled clients' own user, and an admin for stats."""

    password: str
    keepers: list[str]
    stalled: str
    stalled_id: str
    admin: str


@contextlib.asynccontextmanager
async def scratch_database(admin_dsn: str) -> AsyncIterator[tuple[str, Accounts]]:
    """A fresh, migrated database with the district and the bench accounts; dropped afterwards."""
    name = f"pingan_bench_fanout_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        url = with_database(admin_dsn, name)
        conn = await asyncpg.connect(url)
        try:
            await init_connection(conn)
            await migrate(conn)
            await conn.execute(
                "INSERT INTO org_units (path, level, name_zh, name_en) VALUES ($1, 'district', $2, $3)",
                DISTRICT,
                "坪山区",
                "Pingshan",
            )
            password = f"Bench-{secrets.token_hex(12)}-1"  # letters, digits and symbols

            async def make(username: str, role: Role) -> str:
                user = await create_user(
                    conn,
                    UserCreate(
                        username=username,
                        display_name=username,
                        password=password,
                        org_path=DISTRICT,
                        roles=[role],
                    ),
                )
                return str(user.id)

            keepers = [f"bench.wall{i}" for i in range(USERS)]
            for username in keepers:
                await make(username, Role.DISTRICT_LEADER)
            stalled_id = await make("bench.stalled", Role.DISTRICT_LEADER)
            await make("bench.admin", Role.ADMIN)
        finally:
            await conn.close()
        yield (
            url,
            Accounts(
                password=password,
                keepers=keepers,
                stalled="bench.stalled",
                stalled_id=stalled_id,
                admin="bench.admin",
            ),
        )
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@contextlib.contextmanager
def backend_process(env_extra: dict[str, str]) -> Iterator[str]:
    """``python -m backend serve`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env.update(env_extra)
    with (
        tempfile.TemporaryDirectory(prefix="pingan-fanout-") as data_dir,
        (Path(data_dir) / "backend.log").open("wb") as log,
    ):
        env["PINGAN_DATA_DIR"] = data_dir
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "backend", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = (Path(data_dir) / "backend.log").read_text(errors="replace")[-3000:]
                    raise FanoutBenchError(f"the backend did not become ready:\n{tail}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            # not PINGAN_*: the pingan command refuses settings it does not know
            keep = os.environ.get("BENCH_BACKEND_LOG")
            if keep:  # for a diagnosis: the data folder goes with the block
                log.flush()
                shutil.copyfile(Path(data_dir) / "backend.log", keep)


class Ours:
    """Injects updates into our backend: through the outbox, or straight onto the Redis stream."""

    def __init__(self, pg: asyncpg.Connection[Any], streams: EventStreams, stalled_id: str) -> None:
        self.pg = pg
        self.streams = streams
        self.stalled_id = stalled_id
        self._ids = 10**12  # stream-path ids, far from the outbox's

    def _row(self, stream: str, subject: str | None, payload: dict[str, Any]) -> dict[str, Any]:
        self._ids += 1
        return {
            "id": self._ids,
            "district": DISTRICT,
            "stream": stream,
            "kind": KIND,
            "org_path": ORG_PATH,
            "subject": subject,
            "payload": payload,
            "created_at": datetime.now(UTC),
        }

    async def emit_outbox(self, phase: int, count: int, rate: float) -> array[float] | None:
        """Commit each update to the outbox (one transaction each); a burst commits them together.

        Returns how long each commit took: the update exists (durably) only when it returns, and
        on a machine whose disk takes 20 ms for a rare fsync that is not the hub's latency."""
        insert = (
            "INSERT INTO outbox (district, stream, kind, org_path, payload) "
            "VALUES ($1, 'incidents', $2, $3, $4)"
        )
        if rate <= 0:
            async with self.pg.transaction():
                await self.pg.executemany(
                    insert,
                    [
                        (DISTRICT, KIND, ORG_PATH, update_payload(phase, n, time.time()))
                        for n in range(count)
                    ],
                )
            return None
        writes = array("d", bytes(8 * count))

        async def one(n: int) -> None:
            started = time.time()
            await self.pg.execute(
                insert, DISTRICT, KIND, ORG_PATH, update_payload(phase, n, started)
            )
            writes[n] = time.time() - started

        await pace(count, rate, one)
        return writes

    async def emit_stream(self, phase: int, count: int, rate: float) -> None:
        """Append each update to the stream as the relay does; a burst in pipelines of 500."""
        if rate <= 0:
            for start in range(0, count, 500):
                rows = [
                    self._row("incidents", None, update_payload(phase, n, time.time()))
                    for n in range(start, min(count, start + 500))
                ]
                await self.streams.publish(rows)
            return

        async def one(n: int) -> None:
            await self.streams.publish(
                [self._row("incidents", None, update_payload(phase, n, time.time()))]
            )

        await pace(count, rate, one)

    async def fill(self, count: int) -> None:
        """Large events on the stalled clients' personal stream (only their ``me`` takes them)."""
        fill = {"pad": "f" * FILL_EVENT_BYTES}
        await self.streams.publish(
            [self._row("personal", self.stalled_id, fill) for _ in range(count)]
        )
