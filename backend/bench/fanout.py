"""Fan-out benchmark (issue 6): our realtime hub beside a bare ``websockets`` broadcast server.

The same 200-byte updates, at the same rate, go to N connected clients (1,000 and 5,000; 50 and
200 in quick mode). The clients are ``websockets`` connections held by a few client processes;
each update carries its send time, and a client's latency is its receive time minus that (one
host, one clock). Measured for

* **ours, outbox path** (the headline): a real backend (``python -m backend serve``) with every
  client subscribed to ``wall``; each update is committed to the ``outbox`` table, so the figure
  covers commit, NOTIFY, relay, Redis stream, hub and socket;
* **ours, stream path**: the update is appended to the Redis stream with the relay's own code
  (:meth:`EventStreams.publish`): hub and socket only;
* **peer**: ``websockets.asyncio.server.serve`` + ``broadcast()`` in its own process, sending the
  same frames (our ``event`` envelope, same size) at the same rate to the same clients.

Then the same with 1 % stalled clients: raw sockets with a 4 KiB ``SO_RCVBUF`` that subscribe and
then never read. Linux grows a sender's buffer to ``tcp_wmem`` max (4 MiB) even towards a tiny
receive window, so a stalled socket swallows megabytes before any server notices; each stalled
client is therefore sent a fill (4 MiB of large events on a topic only it has: ``me`` on ours,
a second set on the peer) before the window, as a client stalled for a while would have queued.
Reported: the keeping-up clients' p99 and their loss (must be zero for ours). Last, a burst of
updates as fast as each path takes them measures the deliveries per second the node sustains.

Run alone: ``python -m backend.bench.fanout [admin_dsn] [redis_url] [--quick]``. It creates and
drops its own database, uses its own Redis key prefix and deletes those keys afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import math
import multiprocessing as mp
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Sequence
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx
import msgspec
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from backend.bench.positions import format_rows
from backend.bench.table import BenchRow, BenchSeries
from backend.realtime.protocol import ENCODER, Event
from backend.realtime.streams import EventStreams
from backend.security.policy import Role
from backend.security.users import UserCreate, create_user
from backend.storage.postgres.dsn import with_database
from backend.storage.postgres.migrate import migrate
from backend.storage.postgres.pool import init_connection

ROOT = Path(__file__).resolve().parents[2]
DISTRICT = "440310"
ORG_PATH = f"{DISTRICT}.01.01.01"
KIND = "bench.update"
PAYLOAD_BYTES = 200
PEER = "bare websockets broadcast"
SUBPROTOCOL = "pingan.v1"
USERS = 10  # keeper accounts: PINGAN_WS_MAX_CONNECTIONS_PER_USER caps sockets per user at 1,000
FILL_EVENT_BYTES = 60_000


class FanoutBenchError(RuntimeError):
    """The benchmark could not run (a process did not start or answer in time)."""


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """Sizes and timings of one run."""

    clients: tuple[int, ...]
    rate_per_s: float
    window_s: float
    warmup: int  # first updates of each window left out of the latency figures
    workers: int  # client processes
    burst_deliveries: int  # updates x clients of the burst phase
    fill_bytes: int  # sent to each stalled client before its window
    send_timeout_s: float  # PINGAN_WS_SEND_TIMEOUT_S of our backend


FULL = Plan(
    clients=(1000, 5000),
    rate_per_s=2.0,
    window_s=15.0,
    warmup=5,
    workers=4,
    burst_deliveries=100_000,
    fill_bytes=4_500_000,
    send_timeout_s=5.0,
)
QUICK = Plan(
    clients=(50, 200),
    rate_per_s=20.0,
    window_s=2.0,
    warmup=4,
    workers=2,
    burst_deliveries=4_000,
    fill_bytes=4_500_000,
    send_timeout_s=1.0,
)


# --- the update ----------------------------------------------------------------------------


def update_payload(phase: int, n: int, sent_at: float) -> dict[str, Any]:
    """The ``data`` of update ``n`` of a phase: send time, phase, number, padded to 200 bytes."""
    base = {"t": sent_at, "ph": phase, "n": n, "pad": ""}
    base["pad"] = "x" * (PAYLOAD_BYTES - len(msgspec.json.encode(base)))
    return base


def peer_frame(phase: int, n: int, sent_at: float, data: dict[str, Any] | None = None) -> bytes:
    """What the peer sends: our ``event`` envelope around the same payload (same bytes on the wire)."""
    return ENCODER.encode(
        Event(
            stream=f"incidents:{DISTRICT}",
            epoch="0123456789abcdef",
            seq=n + 1,
            id=n + 1,
            kind=KIND,
            at=sent_at,
            org_path=ORG_PATH,
            subject=None,
            data=data if data is not None else update_payload(phase, n, sent_at),
        )
    )


class _Payload(msgspec.Struct):
    t: float = 0.0
    ph: int = -1
    n: int = -1


class _Frame(msgspec.Struct):
    type: str
    data: _Payload | None = None


_FRAME = msgspec.json.Decoder(_Frame)


async def pace(count: int, rate_per_s: float, send: Callable[[int], Awaitable[None]]) -> None:
    """Call ``send(n)`` for n in 0..count-1 at ``rate_per_s`` (0: as fast as it goes)."""
    start = time.perf_counter()
    for n in range(count):
        if rate_per_s > 0:
            delay = start + n / rate_per_s - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        else:
            await asyncio.sleep(0)  # let the loop flush and read between sends
        await send(n)


def _run_clients(coro: Coroutine[Any, Any, None]) -> None:
    """asyncio.run on uvloop when installed: the clients are the instrument, keep them cheap."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(coro)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(coro)


def _offer(token: str) -> list[Subprotocol]:
    """The subprotocols a client of ours offers: the version and its bearer token."""
    return [Subprotocol(SUBPROTOCOL), Subprotocol(f"bearer.{token}")]


# --- client processes ----------------------------------------------------------------------


class _Keeper:
    """One client that keeps up, with its counts for the current phase."""

    __slots__ = ("closed_code", "dups", "got", "last_n", "ws")

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.got = 0
        self.dups = 0
        self.last_n = -1
        self.closed_code: int | None = None


class _ClientWorker:
    """Holds many connections in one process and answers the parent's commands over a pipe."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe
        self.keepers: list[_Keeper] = []
        self.readers: list[asyncio.Task[None]] = []
        self.stalled: list[asyncio.StreamWriter] = []
        self.phase = -1
        self.warmup = 0
        self.latencies = array("d")
        self.first_at = math.inf
        self.last_at = 0.0

    async def serve(self) -> None:
        """Answer commands until ``exit``; a failure is sent back as ``("error", text)``."""
        while True:
            command = await asyncio.to_thread(self.pipe.recv)
            if command == ("exit",):
                await self.close()
                return
            try:
                reply = await self.answer(command)
            except Exception as exc:  # sent to the parent, which raises
                reply = ("error", f"{type(exc).__name__}: {exc}")
            self.pipe.send(reply)

    async def answer(self, command: tuple[Any, ...]) -> Any:
        """Carry out one command."""
        match command:
            case ("connect", str(url), list(tokens), int(count)):
                return await self.connect(url, tokens, count)
            case ("stall", str(url), str(token), int(count), list(topics)):
                return await self.stall(url, token, count, topics)
            case ("phase", int(phase), int(warmup)):
                return self.start_phase(phase, warmup)
            case ("report", int(expected), float(timeout)):
                return await self.report(expected, timeout)
            case ("close",):
                return await self.close()
        raise ValueError(f"unknown command {command!r}")

    async def connect(self, url: str, tokens: list[str], count: int) -> tuple[int, list[str]]:
        """Open ``count`` sockets subscribed to ``wall``; returns how many opened, and failures."""
        gate = asyncio.Semaphore(16)  # a gentle ramp, not a reconnect storm
        failures: list[str] = []

        async def one(i: int) -> _Keeper | None:
            async with gate:
                try:
                    ws = await connect(
                        url,
                        subprotocols=_offer(tokens[i % len(tokens)]),
                        compression=None,
                        ping_interval=None,
                        open_timeout=60,
                        close_timeout=2,
                    )
                    await ws.send('{"type":"subscribe","topic":"wall"}')
                    async with asyncio.timeout(60):
                        while _FRAME.decode(await ws.recv()).type != "subscribed":
                            pass
                except (OSError, TimeoutError, ConnectionClosed, msgspec.DecodeError) as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    return None
                return _Keeper(ws)

        opened = await asyncio.gather(*(one(i) for i in range(count)))
        fresh = [k for k in opened if k is not None]
        self.keepers += fresh
        self.readers += [asyncio.create_task(self._read(k)) for k in fresh]
        return len(fresh), failures

    async def _read(self, keeper: _Keeper) -> None:
        ws = keeper.ws
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                now = time.time()
                data = _FRAME.decode(raw).data
                if data is None or data.ph != self.phase:
                    continue
                if data.n <= keeper.last_n:
                    keeper.dups += 1
                    continue
                keeper.last_n = data.n
                keeper.got += 1
                self.first_at = min(self.first_at, now)
                self.last_at = now
                if data.n >= self.warmup:
                    self.latencies.append(now - data.t)
        keeper.closed_code = ws.close_code if ws.close_code is not None else -1

    async def stall(self, url: str, token: str, count: int, topics: list[str]) -> int:
        """Open ``count`` stalled clients (abort the previous ones); returns how many subscribed."""
        for writer in self.stalled:
            writer.transport.abort()
        self.stalled = []
        for _ in range(count):
            with contextlib.suppress(OSError, TimeoutError):
                self.stalled.append(await open_stalled(url, token, topics))
        return len(self.stalled)

    def start_phase(self, phase: int, warmup: int) -> int:
        """Count only updates of ``phase`` from now on."""
        self.phase, self.warmup = phase, warmup
        self.latencies = array("d")
        self.first_at, self.last_at = math.inf, 0.0
        for keeper in self.keepers:
            keeper.got, keeper.dups, keeper.last_n = 0, 0, -1
        return len(self.keepers)

    async def report(self, expected: int, timeout: float) -> dict[str, Any]:
        """Wait (at most ``timeout``) until every open keeper has ``expected`` updates; counts."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(  # noqa: ASYNC110 - readers only count
            k.got < expected and k.closed_code is None for k in self.keepers
        ):
            await asyncio.sleep(0.05)
        return {
            "latencies": self.latencies.tobytes(),
            "got": sum(k.got for k in self.keepers),
            "missing": sum(max(0, expected - k.got) for k in self.keepers),
            "dups": sum(k.dups for k in self.keepers),
            "closed": sum(k.closed_code is not None for k in self.keepers),
            "first_at": self.first_at,
            "last_at": self.last_at,
        }

    async def close(self) -> int:
        """Close every connection of this process."""
        for writer in self.stalled:
            writer.transport.abort()
        self.stalled = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(20):
                await asyncio.gather(*(k.ws.close() for k in self.keepers), return_exceptions=True)
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        closed = len(self.keepers)
        self.keepers, self.readers = [], []
        return closed


async def open_stalled(url: str, token: str, topics: list[str]) -> asyncio.StreamWriter:
    """A real WebSocket client with a 4 KiB receive buffer that subscribes, then never reads."""
    uri = parse_uri(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (uri.host, uri.port))
    reader, writer = await asyncio.open_connection(sock=sock)
    protocol = ClientProtocol(uri, subprotocols=_offer(token))
    protocol.send_request(protocol.connect())
    writer.write(b"".join(protocol.data_to_send()))
    async with asyncio.timeout(30):
        while protocol.handshake_exc is None and protocol.state is State.CONNECTING:
            protocol.receive_data(await reader.read(65536))
    if protocol.handshake_exc is not None:
        raise OSError(f"stalled client: handshake failed: {protocol.handshake_exc}")
    for topic in topics:
        protocol.send_text(msgspec.json.encode({"type": "subscribe", "topic": topic}))
    writer.write(b"".join(protocol.data_to_send()))
    confirmed = 0
    async with asyncio.timeout(30):
        while confirmed < len(topics):
            data = await reader.read(65536)
            if not data:
                raise OSError("stalled client: the server closed the connection")
            protocol.receive_data(data)
            for event in protocol.events_received():
                if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                    confirmed += _FRAME.decode(event.data).type == "subscribed"
    cast(
        asyncio.Transport, writer.transport
    ).pause_reading()  # from here on the kernel's small buffer is all it takes
    return writer


def _client_main(pipe: Connection) -> None:
    _run_clients(_ClientWorker(pipe).serve())


class Fleet:
    """The client processes, driven from the parent's event loop."""

    def __init__(self, workers: int) -> None:
        ctx = mp.get_context("spawn")
        self._pipes: list[Connection] = []
        self._procs: list[Any] = []
        for _ in range(workers):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_client_main, args=(theirs,), daemon=True)
            proc.start()
            theirs.close()
            self._pipes.append(mine)
            self._procs.append(proc)

    async def ask(self, commands: Sequence[tuple[Any, ...]], timeout: float = 120) -> list[Any]:
        """Send one command to each worker and wait for every answer."""
        for pipe, command in zip(self._pipes, commands, strict=True):
            pipe.send(command)
        return [await _receive(pipe, timeout) for pipe in self._pipes]

    async def ask_all(self, command: tuple[Any, ...], timeout: float = 120) -> list[Any]:
        """The same command to every worker."""
        return await self.ask([command] * len(self._pipes), timeout)

    def split(self, total: int) -> list[int]:
        """``total`` spread over the workers."""
        n = len(self._pipes)
        return [total // n + (i < total % n) for i in range(n)]

    def stop(self) -> None:
        """Ask every worker to exit, then make sure it did."""
        for pipe in self._pipes:
            with contextlib.suppress(OSError):
                pipe.send(("exit",))
        for proc in self._procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()


async def _receive(pipe: Connection, timeout: float) -> Any:
    def wait() -> Any:
        if not pipe.poll(timeout):
            raise FanoutBenchError(f"a client process did not answer within {timeout:.0f} s")
        reply = pipe.recv()
        if isinstance(reply, tuple) and reply[:1] == ("error",):
            raise FanoutBenchError(f"a client process failed: {reply[1]}")
        return reply

    return await asyncio.to_thread(wait)


# --- the peer ------------------------------------------------------------------------------


async def _peer_serve(pipe: Connection, port: int) -> None:
    topics: dict[str, set[ServerConnection]] = {"wall": set(), "me": set()}

    async def handler(ws: ServerConnection) -> None:
        try:
            async for raw in ws:
                topic = msgspec.json.decode(raw).get("topic")
                if topic in topics:
                    topics[topic].add(ws)
                    await ws.send(
                        msgspec.json.encode({"type": "subscribed", "topic": topic}), text=True
                    )
        except ConnectionClosed:
            pass  # a client went away (the stalled ones are aborted)
        finally:
            for subscribers in topics.values():
                subscribers.discard(ws)

    async def send(phase: int, n: int) -> None:
        broadcast(topics["wall"], peer_frame(phase, n, time.time()), text=True)

    async with serve(
        handler,
        "127.0.0.1",
        port,
        subprotocols=[Subprotocol(SUBPROTOCOL)],
        compression=None,
        backlog=4096,
    ):
        pipe.send("ready")
        while True:
            command = await asyncio.to_thread(pipe.recv)
            match command:
                case ("emit", int(phase), int(count), float(rate)):
                    await pace(count, rate, functools.partial(send, phase))
                case ("fill", int(count)):
                    fill = peer_frame(-1, 0, time.time(), {"pad": "f" * FILL_EVENT_BYTES})
                    for _ in range(count):
                        broadcast(topics["me"], fill, text=True)
                        await asyncio.sleep(0)
                case _:
                    return
            pipe.send("done")


def _peer_main(pipe: Connection, port: int) -> None:
    asyncio.run(_peer_serve(pipe, port))  # the stock loop, as our backend runs today


class Peer:
    """The bare ``websockets`` server in a process of its own."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.port = _free_port()
        self.url = f"ws://127.0.0.1:{self.port}/"
        self._pipe, theirs = ctx.Pipe()
        self._proc = ctx.Process(target=_peer_main, args=(theirs, self.port), daemon=True)
        self._proc.start()
        theirs.close()

    async def ready(self) -> None:
        """Wait until it listens."""
        await _receive(self._pipe, 60)

    async def emit(self, phase: int, count: int, rate: float) -> None:
        """Send ``count`` updates at ``rate`` to every ``wall`` subscriber."""
        self._pipe.send(("emit", phase, count, rate))
        await _receive(self._pipe, 120 + (count / rate if rate else 0))

    async def fill(self, count: int) -> None:
        """Send ``count`` large messages to every ``me`` subscriber (the stalled clients)."""
        self._pipe.send(("fill", count))
        await _receive(self._pipe, 120)

    def stop(self) -> None:
        """Stop the process."""
        with contextlib.suppress(OSError):
            self._pipe.send(("exit",))
        self._proc.join(timeout=20)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()


# --- our backend ---------------------------------------------------------------------------


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


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
    port = _free_port()
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

    async def emit_outbox(self, phase: int, count: int, rate: float) -> None:
        """Commit each update to the outbox (one transaction each); a burst commits them together."""
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
            return

        async def one(n: int) -> None:
            await self.pg.execute(
                insert, DISTRICT, KIND, ORG_PATH, update_payload(phase, n, time.time())
            )

        await pace(count, rate, one)

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


# --- measuring -----------------------------------------------------------------------------

Emit = Callable[[int, int, float], Awaitable[None]]


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """What the keeping-up clients saw of one phase."""

    p50_ms: float
    p99_ms: float
    delivered_per_s: float
    deliveries: int
    missing: int
    duplicates: int
    closed: int


def _pct(ordered: Sequence[float], q: float) -> float:
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class System(msgspec.Struct, frozen=True, kw_only=True):
    """One system under test as the phases see it."""

    url: str
    tokens: list[str]
    stalled_bearer: str
    paths: dict[str, Emit]
    fill: Callable[[int], Awaitable[None]]
    dropped: Callable[[], Awaitable[int]] | None = None


class Runner:
    """Runs the phases of one plan against a system with one fleet of client processes."""

    def __init__(self, fleet: Fleet, plan: Plan) -> None:
        self.fleet = fleet
        self.plan = plan
        self.phase = 0

    async def window(self, emit: Emit, count: int, rate: float) -> Window:
        """Emit ``count`` updates at ``rate`` and gather what the keepers received."""
        self.phase += 1
        await self.fleet.ask_all(("phase", self.phase, self.plan.warmup if rate > 0 else 0))
        started = time.time()
        await emit(self.phase, count, rate)
        reports = await self.fleet.ask_all(("report", count, 30.0), timeout=90)
        latencies = array("d")
        for report in reports:
            latencies.frombytes(report["latencies"])
        ordered = sorted(latencies)
        got = sum(r["got"] for r in reports)
        last = max(r["last_at"] for r in reports)
        return Window(
            p50_ms=_pct(ordered, 0.50) * 1000,
            p99_ms=_pct(ordered, 0.99) * 1000,
            delivered_per_s=got / (last - started) if last > started else 0.0,
            deliveries=got,
            missing=sum(r["missing"] for r in reports),
            duplicates=sum(r["dups"] for r in reports),
            closed=sum(r["closed"] for r in reports),
        )

    async def measure(self, system: System, clients: int) -> dict[tuple[str, str], Window]:
        """Plain windows, windows with 1 % stalled clients, then bursts, on every path."""
        plan = self.plan
        opened = await self.fleet.ask(
            [("connect", system.url, system.tokens, k) for k in self.fleet.split(clients)],
            timeout=300,
        )
        failures = [f for _, failed in opened for f in failed]
        if failures:
            raise FanoutBenchError(
                f"{len(failures)} of {clients} clients did not connect, e.g. {failures[:3]}"
            )
        count = int(plan.rate_per_s * plan.window_s) + plan.warmup
        results: dict[tuple[str, str], Window] = {}
        for path, emit in system.paths.items():
            results[path, "plain"] = await self.window(emit, count, plan.rate_per_s)
        stalled = max(1, clients // 100)
        fills = math.ceil(plan.fill_bytes / FILL_EVENT_BYTES)
        for path, emit in system.paths.items():
            await self.fleet.ask(
                [
                    ("stall", system.url, system.stalled_bearer, k, ["wall", "me"])
                    for k in self.fleet.split(stalled)
                ]
            )
            await system.fill(fills)
            await asyncio.sleep(1.0)  # the server pushes the fill until the stalled sockets block
            results[path, "stalled"] = await self.window(emit, count, plan.rate_per_s)
        await self.fleet.ask_all(("stall", system.url, system.stalled_bearer, 0, []))
        burst = max(10, plan.burst_deliveries // clients)
        for path, emit in system.paths.items():
            results[path, "burst"] = await self.window(emit, burst, 0.0)
        await self.fleet.ask_all(("close",), timeout=60)
        return results


def size_rows(
    clients: int,
    ours: dict[tuple[str, str], Window],
    peer: dict[tuple[str, str], Window],
    dropped: int,
) -> list[BenchRow]:
    """The table rows of one client count."""
    rows: list[BenchRow] = []
    bare = peer["peer", "plain"]
    stalled = max(1, clients // 100)
    for path in ("outbox", "stream"):
        plain, slow, burst = ours[path, "plain"], ours[path, "stalled"], ours[path, "burst"]
        at = f"{clients:,} clients, {path}"
        rows += [
            BenchRow(
                bench="fanout",
                figure=f"p50 latency, {at}",
                unit="ms",
                ours=plain.p50_ms,
                peer=bare.p50_ms,
                peer_name=PEER,
            ),
            BenchRow(
                bench="fanout",
                figure=f"p99 latency, {at}",
                unit="ms",
                ours=plain.p99_ms,
                peer=bare.p99_ms,
                peer_name=PEER,
                goal="<= 1.5x peer",
                met=plain.p99_ms <= 1.5 * bare.p99_ms,
            ),
            BenchRow(
                bench="fanout",
                figure=f"delivered, {at}",
                unit="msg/s",
                ours=plain.delivered_per_s,
                peer=bare.delivered_per_s,
                peer_name=PEER,
            ),
            BenchRow(
                bench="fanout",
                figure=f"p99 with {stalled} stalled / none, {at}",
                unit="ms",
                ours=slow.p99_ms,
                peer=plain.p99_ms,
                peer_name="ours without stalled clients",
                goal="<= 1.2x",
                met=slow.p99_ms <= 1.2 * plain.p99_ms,
            ),
            BenchRow(
                bench="fanout",
                figure=f"p99 with {stalled} stalled, {at}",
                unit="ms",
                ours=slow.p99_ms,
                peer=peer["peer", "stalled"].p99_ms,
                peer_name=f"{PEER}, {stalled} stalled",
            ),
            BenchRow(
                bench="fanout",
                figure=f"burst delivered, {at}",
                unit="msg/s",
                ours=burst.delivered_per_s,
                peer=peer["peer", "burst"].delivered_per_s,
                peer_name=PEER,
            ),
        ]
    lost = sum(w.missing + w.closed for w in ours.values())
    rows += [
        BenchRow(
            bench="fanout",
            figure=f"lost by keeping-up clients, {clients:,} clients",
            unit="msgs",
            ours=float(lost),
            peer=float(sum(w.missing + w.closed for w in peer.values())),
            peer_name=PEER,
            goal="0",
            met=lost == 0,
        ),
        BenchRow(
            bench="fanout",
            figure=f"stalled clients dropped (4008), {clients:,} clients",
            unit="clients",
            ours=float(dropped),
            goal=f"of {2 * stalled} stalled",
        ),
    ]
    return rows


async def _login(http: httpx.AsyncClient, username: str, password: str) -> str:
    r = await http.post("/api/auth/login", json={"username": username, "password": password})
    r.raise_for_status()
    return str(r.json()["access_token"])


async def _measure_ours(
    base: str, url: str, redis: Redis, prefix: str, accounts: Accounts, plan: Plan
) -> dict[int, tuple[dict[tuple[str, str], Window], int]]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        tokens = [await _login(http, u, accounts.password) for u in accounts.keepers]
        stalled_bearer = await _login(http, accounts.stalled, accounts.password)
        admin = {"Authorization": f"Bearer {await _login(http, accounts.admin, accounts.password)}"}

        async def dropped() -> int:
            r = await http.get("/api/realtime/stats", headers=admin)
            r.raise_for_status()
            return int(r.json()["dropped_slow"])

        pg = await asyncpg.connect(url)
        await init_connection(pg)
        ours = Ours(pg, EventStreams(redis, prefix), accounts.stalled_id)
        system = System(
            url=base.replace("http://", "ws://") + "/ws",
            tokens=tokens,
            stalled_bearer=stalled_bearer,
            paths={"stream": ours.emit_stream, "outbox": ours.emit_outbox},
            fill=ours.fill,
        )
        fleet = Fleet(plan.workers)
        try:
            out: dict[int, tuple[dict[tuple[str, str], Window], int]] = {}
            runner = Runner(fleet, plan)
            for clients in plan.clients:
                before = await dropped()
                results = await runner.measure(system, clients)
                out[clients] = (results, await dropped() - before)
            return out
        finally:
            fleet.stop()
            await pg.close()


async def _measure_peer(plan: Plan) -> dict[int, dict[tuple[str, str], Window]]:
    peer = Peer()
    fleet = Fleet(plan.workers)
    try:
        await peer.ready()
        system = System(
            url=peer.url,
            tokens=["peer"],
            stalled_bearer="peer",
            paths={"peer": peer.emit},
            fill=peer.fill,
        )
        runner = Runner(fleet, plan)
        return {clients: await runner.measure(system, clients) for clients in plan.clients}
    finally:
        fleet.stop()
        peer.stop()


async def run_fanout_bench(
    database_url: str,
    redis_url: str,
    *,
    quick: bool = False,
    series: list[BenchSeries] | None = None,
) -> list[BenchRow]:
    """Measure our fan-out beside a bare ``websockets`` broadcast server; returns the rows.

    ``database_url`` must be allowed to create databases: the bench works in a scratch one.
    """
    plan = QUICK if quick else FULL
    prefix = f"pingan:bench:fanout:{secrets.token_hex(4)}"
    redis = Redis.from_url(redis_url)
    try:
        peer = await _measure_peer(plan)
        async with scratch_database(database_url) as (url, accounts):
            env = {
                "PINGAN_DATABASE_URL": url,
                "PINGAN_REDIS_URL": redis_url,
                "PINGAN_REDIS_PREFIX": prefix,
                "PINGAN_LOG_LEVEL": "WARNING",
                "PINGAN_LOG_JSON": "true",
                "PINGAN_ACCESS_TOKEN_TTL_S": "7200",
                "PINGAN_WS_MAX_CONNECTIONS_PER_USER": "1000",
                "PINGAN_WS_SEND_TIMEOUT_S": str(plan.send_timeout_s),
            }
            with backend_process(env) as base:
                ours = await _measure_ours(base, url, redis, prefix, accounts, plan)
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await redis.unlink(*keys)
        await redis.aclose()
    rows: list[BenchRow] = []
    for clients in plan.clients:
        results, dropped = ours[clients]
        rows += size_rows(clients, results, peer[clients], dropped)
    if series is not None:
        series.append(fanout_curve(plan, ours, peer))
    return rows


def fanout_curve(
    plan: Plan,
    ours: dict[int, tuple[dict[tuple[str, str], Window], int]],
    peer: dict[int, dict[tuple[str, str], Window]],
) -> BenchSeries:
    """p99 latency over client count for each of our paths and the bare server."""
    lines: dict[str, list[tuple[float, float]]] = {}
    for clients in plan.clients:
        results = ours[clients][0]
        for label, window in (
            ("ours, outbox (commit → socket)", results["outbox", "plain"]),
            ("ours, stream (hub → socket)", results["stream", "plain"]),
            ("ours, outbox, 1 % stalled", results["outbox", "stalled"]),
            (PEER, peer[clients]["peer", "plain"]),
        ):
            lines.setdefault(label, []).append((float(clients), window.p99_ms))
    return BenchSeries(
        bench="fanout",
        name="fanout-p99-by-clients",
        title=f"fan-out p99 over client count ({plan.rate_per_s:g} updates/s)",
        kind="curve",
        unit="p99 latency (ms)",
        x_label="connected clients",
        points=lines,
    )


def main() -> None:
    """Command line: python -m backend.bench.fanout [admin_dsn] [redis_url] [--quick]."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "database_url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("redis_url", nargs="?", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    started = time.monotonic()
    rows = asyncio.run(run_fanout_bench(args.database_url, args.redis_url, quick=args.quick))
    print(  # noqa: T201
        f"fan-out: {plan.rate_per_s:g} updates/s of {PAYLOAD_BYTES} bytes for {plan.window_s:g} s "
        f"per window, {plan.workers} client processes, {os.cpu_count()} cores; "
        f"{time.monotonic() - started:.0f} s in all"
    )
    print(format_rows(rows))  # noqa: T201


if __name__ == "__main__":
    main()
