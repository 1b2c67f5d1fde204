"""``/ws``: the one WebSocket endpoint. Authenticates before the first subscription, checks the
Origin before accepting, limits message size, message rate, subscriptions and connections, and
closes when the access token expires unless the client refreshed it over the socket.

Close codes are in :class:`backend.realtime.protocol.CloseCode`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from backend.realtime.direct import DirectFrames
from backend.realtime.hub import Client, Hub
from backend.realtime.protocol import (
    CLIENT_DECODER,
    SUBPROTOCOL,
    TOKEN_PREFIX,
    AssignmentCommand,
    ClientMessage,
    CloseCode,
    Error,
    Hello,
    Ping,
    Pong,
    PositionUpdate,
    Refresh,
    Subscribe,
    Unsubscribe,
    Welcome,
)
from backend.realtime.topics import TopicError
from backend.resources import Resources
from backend.security.audit import AuditEntry
from backend.security.guards import PUBLIC
from backend.security.principal import Principal
from backend.security.tokens import InvalidToken, decode_access_token
from backend.validation import explain

log = logging.getLogger("pingan.ws")
HELLO_TIMEOUT_S = 5.0


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """Browsers send Origin: it must be ours (same host) or on the allowlist. Others send none."""
    if origin is None:
        return True
    if origin in allowed:
        return True
    return host is not None and urlsplit(origin).netloc == host


def offered_token(socket: WebSocket[Any, Any, Any]) -> tuple[str | None, bool]:
    """The token from ``Sec-WebSocket-Protocol: pingan.v1, bearer.<token>``, and whether v1 was offered."""
    offered = [
        p.strip() for p in socket.headers.get("sec-websocket-protocol", "").split(",") if p.strip()
    ]
    token = next((p[len(TOKEN_PREFIX) :] for p in offered if p.startswith(TOKEN_PREFIX)), None)
    return token, SUBPROTOCOL in offered


class TokenBucket:
    """Message rate limit: ``rate`` per second with bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.at = time.monotonic()
        self.refused = 0

    def take(self) -> bool:
        """Whether one more message may pass now."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused = 0
            return True
        self.refused += 1
        return False


class ConnectionCounter:
    """Sockets per user on this node."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)


class _Sink:
    def __init__(self, socket: WebSocket[Any, Any, Any]) -> None:
        self.socket = socket
        self.direct = DirectFrames.from_scope(socket.scope)

    async def send_text(self, data: str) -> None:
        await self.socket.send_text(data)

    def writable(self) -> bool:
        return self.direct is not None and self.direct.writable()

    def write_frame(self, frame: bytes) -> bool:
        return self.direct is not None and self.direct.write(frame)

    async def close(self, code: int, reason: str) -> None:
        await self.socket.close(code=code, reason=reason[:120])


async def _authenticate(
    socket: WebSocket[Any, Any, Any], res: Resources, token: str | None
) -> Principal | None:
    if token is None:
        try:
            async with asyncio.timeout(HELLO_TIMEOUT_S):  # not wait_for: see _receive_loop
                raw = await socket.receive_text()
            hello = CLIENT_DECODER.decode(raw)
        except (TimeoutError, msgspec.DecodeError, WebSocketDisconnect):
            return None
        if not isinstance(hello, Hello):
            return None
        token = hello.token
    try:
        principal = decode_access_token(res.keyring.signing, token, now=time.time())
    except InvalidToken:
        return None
    if await res.auth.session_revoked(res.pool, principal.session_id):
        return None
    return principal


@websocket("/ws", opt=PUBLIC)
async def realtime_socket(socket: WebSocket[Any, Any, Any]) -> None:
    """The realtime endpoint (see docs/realtime.md)."""
    try:
        await _serve(socket)
    finally:
        _release(socket)


async def _released_receive() -> Any:
    raise WebSocketDisconnect(detail="the connection was released")


async def _released_send(_message: Any) -> None:
    raise WebSocketDisconnect(detail="the connection was released")


def _release(socket: WebSocket[Any, Any, Any]) -> None:
    """Break Litestar's WebSocket ↔ wrapper-closure reference cycle once we are done with it.

    Its ``receive`` and ``send`` are closures over the socket itself, so a closed connection's
    objects (the socket, uvicorn's protocol, buffers, headers: ~100 objects) are freed only by
    the cycle collector. Under the GC policy (backend/gc_policy.py) they are frozen by then, and
    every reconnect would grow the heap until a full collection: a pause of every socket on the
    node. Nothing uses the socket after the handler returns."""
    socket.receive = _released_receive
    socket.send = _released_send


async def _serve(socket: WebSocket[Any, Any, Any]) -> None:
    res: Resources = socket.app.state.resources
    hub: Hub = socket.app.state.hub
    counter: ConnectionCounter = socket.app.state.ws_connections
    settings = res.settings
    if not origin_allowed(
        socket.headers.get("origin"), socket.headers.get("host"), settings.allowed_origins
    ):
        await socket.close(
            code=CloseCode.FORBIDDEN, reason="origin not allowed"
        )  # before accept: HTTP 403
        return
    token, wants_v1 = offered_token(socket)
    await socket.accept(subprotocols=SUBPROTOCOL if wants_v1 else None)
    principal = await _authenticate(socket, res, token)
    if principal is None:
        await socket.close(
            code=CloseCode.AUTH_FAILED, reason="authentication failed: log in and reconnect"
        )
        return
    if counter.counts[principal.user_id] >= settings.ws_max_connections_per_user:
        await socket.close(code=CloseCode.TOO_MANY, reason="too many connections for this user")
        return
    counter.counts[principal.user_id] += 1
    client = hub.attach(_Sink(socket), principal)
    sender = asyncio.create_task(client.run_sender())
    try:
        client.send(
            Welcome(
                user_id=principal.user_id,
                username=principal.username,
                expires_at=principal.expires_at,
                server_time=time.time(),
                limits={
                    "max_message_bytes": settings.ws_max_message_bytes,
                    "max_subscriptions": settings.ws_max_subscriptions,
                    "rate_per_s": int(settings.ws_rate_per_s),
                },
            )
        )
        await _receive_loop(socket, client, res, hub)
    finally:
        counter.counts[principal.user_id] -= 1
        if not client.closed:
            client.drop(None, "peer closed")
        # The sender closes the socket with the drop's code; give it a moment, then stop it.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            async with asyncio.timeout(3.0):
                await sender


async def _receive_loop(
    socket: WebSocket[Any, Any, Any], client: Client, res: Resources, hub: Hub
) -> None:
    settings = res.settings
    bucket = TokenBucket(settings.ws_rate_per_s, settings.ws_rate_burst)
    while not client.closed:
        remaining = client.principal.expires_at - time.time()
        if remaining <= 0:
            client.drop(CloseCode.AUTH_FAILED, "access token expired: refresh and reconnect")
            return
        try:
            # asyncio.timeout, not wait_for: wait_for wraps the receive in a task whose exception
            # (the disconnect) and wait_for's own frame form a reference cycle that holds the
            # whole connection; frozen by the GC policy, that stays until a full collection.
            async with asyncio.timeout(min(remaining, 30.0)):
                raw = await socket.receive_data(mode="text")
        except TimeoutError:
            continue  # re-check expiry
        except WebSocketDisconnect:
            return
        if len(raw) > settings.ws_max_message_bytes:
            client.drop(CloseCode.TOO_BIG, "message too big")
            return
        if not bucket.take():
            if bucket.refused > settings.ws_rate_burst:
                client.drop(CloseCode.POLICY, "message flood")
                return
            client.send(Error(code="rate_limited", message="slow down"))
            continue
        await _handle(raw, client, res, hub)


def _decode(raw: str | bytes, client: Client) -> ClientMessage | None:
    try:
        message: ClientMessage = CLIENT_DECODER.decode(raw)
    except msgspec.ValidationError as exc:
        field, reason = explain(exc)
        client.send(Error(code="invalid", message=reason[:300], field=field))
        return None
    except msgspec.DecodeError:
        typed = b'"type"' in (raw if isinstance(raw, bytes) else raw.encode())
        client.send(
            Error(
                code="unknown_type" if typed else "invalid",
                message="not a message this server understands",
            )
        )
        return None
    return message


async def _handle(raw: str | bytes, client: Client, res: Resources, hub: Hub) -> None:
    message = _decode(raw, client)
    match message:
        case None:
            return
        case Subscribe(topic=topic, since=since):
            try:
                await hub.subscribe(client, topic, since)
            except TopicError as exc:
                if exc.code == "not_found":
                    await _audit_denied(res, client.principal, topic)
                client.send(Error(code=exc.code, message=str(exc), topic=topic))
        case Unsubscribe(topic=topic):
            hub.unsubscribe(client, topic)
        case Ping(nonce=nonce):
            client.send(Pong(nonce=nonce, server_time=time.time()))
        case Refresh(token=token):
            _refresh(client, res, token)
        case Hello():
            client.send(Error(code="invalid", message="already authenticated"))
        case PositionUpdate() | AssignmentCommand():
            handler = (
                hub.on_client_position
                if isinstance(message, PositionUpdate)
                else hub.on_client_command
            )
            if handler is None:
                client.send(
                    Error(
                        code="unsupported",
                        message=f"{message.__class__.__name__} not accepted here",
                    )
                )
            else:
                await handler(client, message)


def _refresh(client: Client, res: Resources, token: str) -> None:
    try:
        fresh = decode_access_token(res.keyring.signing, token, now=time.time())
    except InvalidToken as exc:
        client.send(Error(code="auth", message=str(exc)))
        return
    if fresh.user_id != client.principal.user_id:
        client.send(Error(code="auth", message="the token is for another user"))
        return
    client.principal = fresh


async def _audit_denied(res: Resources, principal: Principal, topic: str) -> None:
    async with res.pool.acquire() as conn:
        await res.audit.append(
            conn,
            AuditEntry(
                action="realtime.subscribe",
                outcome="denied",
                actor_id=principal.user_id,
                actor_name=principal.username,
                object_type="topic",
                object_id=topic[:120],
                org_path=principal.org_path,
                reason="outside jurisdiction",
            ),
        )
