"""What goes on the wire: the 200-byte update, the peer's frame, how clients decode it, pacing."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from websockets.typing import Subprotocol

from backend.bench.fanout.plan import DISTRICT, KIND, ORG_PATH, PAYLOAD_BYTES, SUBPROTOCOL
from backend.realtime.protocol import ENCODER, Event


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


FRAME = msgspec.json.Decoder(_Frame)


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


def offer(token: str) -> list[Subprotocol]:
    """The subprotocols a client of ours offers: the version and its bearer token."""
    return [Subprotocol(SUBPROTOCOL), Subprotocol(f"bearer.{token}")]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
