"""Client processes: each holds many keeping-up or stalled sockets; the Fleet drives them."""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing as mp
import socket
import time
from array import array
from collections.abc import Coroutine, Sequence
from multiprocessing.connection import Connection
from typing import Any, cast

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from backend.bench.fanout.plan import FanoutBenchError
from backend.bench.fanout.wire import FRAME, offer


def run_on_uvloop(coro: Coroutine[Any, Any, None]) -> None:
    """asyncio.run on uvloop when installed: the clients are the instrument, keep them cheap."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(coro)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(coro)


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
        self.numbers = array("q")  # the update number of each latency sample
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
                        subprotocols=offer(tokens[i % len(tokens)]),
                        compression=None,
                        ping_interval=None,
                        open_timeout=60,
                        close_timeout=2,
                    )
                    await ws.send('{"type":"subscribe","topic":"wall"}')
                    async with asyncio.timeout(60):
                        while FRAME.decode(await ws.recv()).type != "subscribed":
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
                data = FRAME.decode(raw).data
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
                    self.numbers.append(data.n)
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
        self.numbers = array("q")
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
            "numbers": self.numbers.tobytes(),
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
    protocol = ClientProtocol(uri, subprotocols=offer(token))
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
                    confirmed += FRAME.decode(event.data).type == "subscribed"
    cast(
        asyncio.Transport, writer.transport
    ).pause_reading()  # from here on the kernel's small buffer is all it takes
    return writer


def _client_main(pipe: Connection) -> None:
    run_on_uvloop(_ClientWorker(pipe).serve())


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
        return [await receive(pipe, timeout) for pipe in self._pipes]

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


async def receive(pipe: Connection, timeout: float) -> Any:
    def wait() -> Any:
        if not pipe.poll(timeout):
            raise FanoutBenchError(f"a client process did not answer within {timeout:.0f} s")
        reply = pipe.recv()
        if isinstance(reply, tuple) and reply[:1] == ("error",):
            raise FanoutBenchError(f"a client process failed: {reply[1]}")
        return reply

    return await asyncio.to_thread(wait)
