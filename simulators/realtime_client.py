"""A small realtime client on the ``websockets`` library: the simulators' phone and wall.

It authenticates through the subprotocol header, keeps one cursor per stream, resumes with it
after any disconnect (jittered exponential back-off), drops duplicate events by id, and reports
its state (``connecting``, ``live``, ``reconnecting``, ``closed``). It speaks only the public
protocol (``backend/realtime/protocol.py`` documents it; this module does not import it, as a
phone would not).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

Handler = Callable[[dict[str, Any]], Awaitable[None] | None]
TokenSource = Callable[[], Awaitable[str] | str]
FATAL_CLOSES = {4001, 4003, 4029}  # auth, forbidden, too many: reconnecting as-is cannot help


class RealtimeClient:
    """Connect, subscribe, resume. Run :meth:`run` as a task; read ``state`` and ``stats``."""

    def __init__(
        self,
        url: str,
        token: TokenSource,
        topics: list[str],
        on_message: Handler,
        *,
        origin: str | None = None,
        max_backoff_s: float = 10.0,
    ) -> None:
        self.url = url
        self._token = token
        self.topics = list(topics)
        self._on_message = on_message
        self._origin = origin
        self._max_backoff = max_backoff_s
        self.cursors: dict[str, dict[str, Any]] = {}  # stream -> {"epoch", "seq"}
        self._topic_stream: dict[str, str] = {}
        self._seen: OrderedDict[int, None] = OrderedDict()
        self.state = "connecting"
        self.stats = {"events": 0, "duplicates": 0, "snapshots": 0, "resets": 0, "connects": 0}
        self.last_close: int | None = None
        self._ws: ClientConnection | None = None
        self._stop = asyncio.Event()

    async def _get_token(self) -> str:
        token = self._token()
        return await token if isinstance(token, Awaitable) else token

    async def send(self, message: dict[str, Any]) -> None:
        """Send a message now (raises if not connected)."""
        if self._ws is None:
            raise ConnectionError("not connected")
        await self._ws.send(json.dumps(message))

    async def stop(self) -> None:
        """Close and stop reconnecting."""
        self._stop.set()
        if self._ws is not None:
            await self._ws.close()

    async def run(self) -> None:
        """Connect and serve until :meth:`stop`; reconnect with back-off after any failure."""
        attempt = 0
        while not self._stop.is_set():
            try:
                await self._session()
                attempt = 0
            except (OSError, ConnectionClosed, InvalidStatus, TimeoutError) as exc:
                code = getattr(getattr(exc, "rcvd", None), "code", None)
                self.last_close = code
                if code in FATAL_CLOSES and code != 4001:
                    self.state = "closed"
                    return
            if self._stop.is_set():
                break
            self.state = "reconnecting"
            attempt += 1
            delay = min(self._max_backoff, 0.2 * 2 ** min(attempt, 8)) * random.uniform(0.5, 1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
        self.state = "closed"

    async def _session(self) -> None:
        token = await self._get_token()
        headers = {"Origin": self._origin} if self._origin else None
        async with connect(
            self.url,
            subprotocols=["pingan.v1", f"bearer.{token}"],  # type: ignore[list-item]
            additional_headers=headers,
            open_timeout=10,
            max_size=2**22,
        ) as ws:
            self._ws = ws
            self.stats["connects"] += 1
            for topic in self.topics:
                stream = self._topic_stream.get(topic)
                since = self.cursors.get(stream) if stream else None
                await ws.send(json.dumps({"type": "subscribe", "topic": topic, "since": since}))
            self.state = "live"
            try:
                async for raw in ws:
                    await self._receive(json.loads(raw))
            finally:
                self.last_close = ws.close_code
                self._ws = None

    async def _receive(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "event":
            if message["id"] in self._seen:
                self.stats["duplicates"] += 1
                self._advance(message)
                return
            self._seen[message["id"]] = None
            if len(self._seen) > 50_000:
                self._seen.popitem(last=False)
            self.stats["events"] += 1
            self._advance(message)
        elif kind in ("snapshot", "subscribed"):
            self._topic_stream[message["topic"]] = message["stream"]
            self.cursors[message["stream"]] = {"epoch": message["epoch"], "seq": message["seq"]}
            if kind == "snapshot":
                self.stats["snapshots"] += 1
                self.stats["resets"] += bool(message.get("reset"))
        result = self._on_message(message)
        if isinstance(result, Awaitable):
            await result

    def _advance(self, event: dict[str, Any]) -> None:
        cursor = self.cursors.get(event["stream"])
        if cursor is None or cursor["epoch"] != event["epoch"] or event["seq"] > cursor["seq"]:
            self.cursors[event["stream"]] = {"epoch": event["epoch"], "seq": event["seq"]}


__all__ = ["RealtimeClient", "websockets"]
