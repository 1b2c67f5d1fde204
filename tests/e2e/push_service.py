"""A local Web Push service for tests: the one stand-in allowed (the phone vendors' services
cannot run here). It speaks the real protocol: RFC 8030 delivery, RFC 8291 aes128gcm
encryption (decrypt with the subscription's keys), RFC 8292 VAPID headers."""

from __future__ import annotations

import asyncio
import base64


def b64url(raw: bytes) -> str:
    """Base64url without padding, as browsers encode subscription keys."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class LocalPushService:
    """Accepts pushes on loopback and keeps (headers, body) of each."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.received.append((headers, body))
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
