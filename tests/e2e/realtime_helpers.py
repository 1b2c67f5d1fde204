"""Helpers for realtime tests: users, tokens, sockets, and events committed to the outbox."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect

from backend.storage.postgres.pool import init_connection
from tests.conftest import TEST_PASSWORD


async def token_for(base_url: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        r = await http.post(
            "/api/auth/login", json={"username": username, "password": TEST_PASSWORD}
        )
        r.raise_for_status()
        return str(r.json()["access_token"])


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/ws"


async def open_socket(base_url: str, token: str, **kwargs: Any) -> ClientConnection:
    return await connect(ws_url(base_url), subprotocols=["pingan.v1", f"bearer.{token}"], **kwargs)  # type: ignore[list-item]


async def next_message(
    ws: ClientConnection, kind: str | None = None, timeout: float = 10
) -> dict[str, Any]:
    """The next message (of ``kind``, skipping others)."""
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if kind is None or message["type"] == kind:
                return message


async def subscribe(
    ws: ClientConnection, topic: str, since: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Subscribe and return the ``subscribed`` confirmation (after a snapshot, if any)."""
    await ws.send(json.dumps({"type": "subscribe", "topic": topic, "since": since}))
    return await next_message(ws, "subscribed")


async def emit_events(
    database_url: str,
    org_path: str,
    count: int,
    *,
    kind: str = "test.event",
    stream: str = "incidents",
    subject: str | None = None,
    pad: int = 150,
    payload: dict[str, Any] | None = None,
) -> list[int]:
    """Commit ``count`` events as a state change would (one transaction each); ``payload``
    instead of the numbered padding."""
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    ids: list[int] = []
    try:
        for i in range(count):
            async with conn.transaction():
                ids.append(
                    await conn.fetchval(
                        "INSERT INTO outbox (district, stream, kind, org_path, subject, payload) "
                        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                        org_path.split(".")[0],
                        stream,
                        kind,
                        org_path,
                        subject,
                        payload if payload is not None else {"n": i, "pad": "x" * pad},
                    )
                )
    finally:
        await conn.close()
    return ids


async def collect_events(
    ws: ClientConnection, count: int, timeout: float = 20
) -> list[dict[str, Any]]:
    """Exactly ``count`` events (other message types are skipped)."""
    events: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while len(events) < count:
            message = json.loads(await ws.recv())
            if message["type"] == "event":
                events.append(message)
    return events


class StalledClient:
    """A real WebSocket client (websockets' sans-I/O protocol over a plain socket) that subscribes
    and then never reads again, with a small receive buffer: the server's sends to it block."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, base_url: str, token: str, topic: str) -> StalledClient:
        from websockets.client import ClientProtocol
        from websockets.uri import parse_uri

        url = ws_url(base_url)
        host, port = url.split("//")[1].split("/")[0].split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        sock.setblocking(False)
        reader, writer = await asyncio.open_connection(sock=sock)
        protocol = ClientProtocol(parse_uri(url), subprotocols=["pingan.v1", f"bearer.{token}"])  # type: ignore[list-item]
        request = protocol.connect()
        protocol.send_request(request)
        writer.write(b"".join(protocol.data_to_send()))
        while protocol.handshake_exc is None and protocol.state.name == "CONNECTING":
            protocol.receive_data(await reader.read(65536))
        if protocol.handshake_exc is not None:
            raise protocol.handshake_exc
        protocol.send_text(json.dumps({"type": "subscribe", "topic": topic}).encode())
        writer.write(b"".join(protocol.data_to_send()))
        await writer.drain()
        return cls(reader, writer)

    def close(self) -> None:
        self.writer.transport.abort()
