"""Direct frames: one event's WebSocket frame built once, written straight into each socket.

A server's text frame is unmasked, and our sockets negotiate no extension (no per-message
deflate), so the bytes of an event's frame are the same for every client. Through ASGI each
delivery would instead wake the socket's sender task, pass four ``send`` wrappers and build
the frame again; at 5,000 walls that is most of the hub's CPU beside the write itself.

The ASGI server hides its transport, so :func:`expose_transports` (wrapped around the app
handed to uvicorn) puts uvicorn's WebSocket protocol object into the scope; :class:`DirectFrames`
writes through it only while the connection is open and its transport is below the high-water
mark. Anything else (another ASGI server, a paused transport, a closing socket) answers False
and the caller takes the ordinary, awaited ASGI path, which keeps backpressure and the
slow-client timeout exactly as before.
"""

from __future__ import annotations

from typing import Any

from websockets.frames import Frame, Opcode
from websockets.protocol import State

SCOPE_KEY = "pingan.ws_protocol"


def text_frame(payload: bytes) -> bytes:
    """A complete, unmasked text frame carrying ``payload`` (UTF-8 JSON), as a server sends it."""
    return Frame(Opcode.TEXT, payload).serialize(mask=False)


def expose_transports(app: Any) -> Any:
    """Wrap an ASGI app so WebSocket scopes carry uvicorn's protocol object under SCOPE_KEY."""
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import (
            WebSocketsSansIOProtocol,
        )
    except ImportError:  # pragma: no cover - another server: the ASGI path only
        return app

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            protocol = getattr(send, "__self__", None)
            if isinstance(protocol, WebSocketsSansIOProtocol):
                extensions = scope.get("extensions")
                if extensions is None:
                    extensions = scope["extensions"] = {}
                extensions[SCOPE_KEY] = protocol
                try:
                    await app(scope, receive, send)
                finally:
                    # The protocol holds this scope: left in it, the pair is a reference cycle
                    # that keeps the connection's objects until a full collection.
                    extensions.pop(SCOPE_KEY, None)
                return
        await app(scope, receive, send)

    return asgi


class DirectFrames:
    """Writes pre-built frames into one uvicorn WebSocket connection when it can take them now."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol

    @classmethod
    def from_scope(cls, scope: Any) -> DirectFrames | None:
        """The writer for this connection, or None when the server did not expose it."""
        protocol = (scope.get("extensions") or {}).get(SCOPE_KEY)
        if protocol is None or protocol.conn.extensions:
            return None  # an extension (compression) makes frames differ per socket
        return cls(protocol)

    def writable(self) -> bool:
        """Whether a write now would go out: the connection is open and its transport not paused."""
        p = self._protocol
        return not (
            p.disconnected
            or p.close_sent
            or not p.writable.is_set()
            or p.conn.state is not State.OPEN
            or p.transport.is_closing()
        )

    def write(self, frame: bytes) -> bool:
        """Write ``frame`` (one frame or several back to back) now and return True, or return
        False without writing anything when the socket is not :meth:`writable`."""
        if not self.writable():
            return False
        self._protocol.transport.write(frame)
        return True
