"""The peer: a bare ``websockets`` server using ``broadcast()``, in a process of its own."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing as mp
import time
from multiprocessing.connection import Connection

import msgspec
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from backend.bench.fanout.clients import receive, run_on_uvloop
from backend.bench.fanout.plan import FILL_EVENT_BYTES, SUBPROTOCOL
from backend.bench.fanout.wire import free_port, pace, peer_frame


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
    run_on_uvloop(_peer_serve(pipe, port))  # the loop our backend runs on (uvicorn's uvloop)


class Peer:
    """The bare ``websockets`` server in a process of its own."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}/"
        self._pipe, theirs = ctx.Pipe()
        self._proc = ctx.Process(target=_peer_main, args=(theirs, self.port), daemon=True)
        self._proc.start()
        theirs.close()

    async def ready(self) -> None:
        """Wait until it listens."""
        await receive(self._pipe, 60)

    async def emit(self, phase: int, count: int, rate: float) -> None:
        """Send ``count`` updates at ``rate`` to every ``wall`` subscriber."""
        self._pipe.send(("emit", phase, count, rate))
        await receive(self._pipe, 120 + (count / rate if rate else 0))

    async def fill(self, count: int) -> None:
        """Send ``count`` large messages to every ``me`` subscriber (the stalled clients)."""
        self._pipe.send(("fill", count))
        await receive(self._pipe, 120)

    def stop(self) -> None:
        """Stop the process."""
        with contextlib.suppress(OSError):
            self._pipe.send(("exit",))
        self._proc.join(timeout=20)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
