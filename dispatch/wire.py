"""A pipelined RESP connection for the search's hot path, beside redis-py's client.

A nearest search is one EVALSHA. Through redis-py's asyncio client that call pays for the
connection pool (a lock and a health probe per call), argument packing in Python, a retry
wrapper, a timeout task and a StreamReader: ~70 µs of a ~300 µs search on loopback, measured
(docs/benchmarks.md). `Wire` sends hiredis-packed commands on one connection of its own and
resolves replies in `data_received`, in order, so concurrent searches share the connection
without waiting for each other.

It reuses the address, credentials and database of the redis-py client it is made for, over
TCP or a Unix socket (the embedded Redis). TLS, Sentinel and Cluster clients get no wire: the
index keeps using redis-py for them. Errors are redis-py's exception types, so callers handle
one set: a lost or timed-out connection fails every request in flight with ConnectionError
or TimeoutError (their order on the connection is no longer known) and the next call
reconnects; an error reply is ResponseError (NoScriptError for NOSCRIPT).
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar, cast

import hiredis
from redis.asyncio import Redis
from redis.asyncio.connection import Connection, UnixDomainSocketConnection
from redis.exceptions import (
    ConnectionError as RedisConnectionError,
)
from redis.exceptions import (
    InvalidResponse,
    NoScriptError,
    ResponseError,
)
from redis.exceptions import (
    TimeoutError as RedisTimeoutError,
)

CONNECT_TIMEOUT_S = 2.0
CALL_TIMEOUT_S = 5.0

P = TypeVar("P", bound=asyncio.BaseProtocol)


def _reply_error(message: str) -> Exception:
    # hiredis hands error replies back as values; the scripts runner reloads on NOSCRIPT
    if message.startswith("NOSCRIPT"):
        return NoScriptError(message)
    return ResponseError(message)


class _Protocol(asyncio.Protocol):
    """Replies matched to requests in order (RESP answers in the order it was asked)."""

    def __init__(self) -> None:
        self.reader = hiredis.Reader(protocolError=InvalidResponse, replyError=_reply_error)
        self.waiting: deque[asyncio.Future[Any]] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # a stream transport (uvloop's are not subclasses of asyncio.Transport)
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            if not self.waiting:
                # a reply nobody asked for: the stream is out of step, never match it to a call
                assert self.transport is not None
                self.transport.abort()
                return
            future = self.waiting.popleft()
            if future.done():  # a timed-out request's future is already failed
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = RedisConnectionError(f"Redis connection lost: {exc or 'closed'}")
        self.fail(self.lost)

    def fail(self, error: Exception) -> None:
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(error)

    def send(self, packed: bytes) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        assert self.transport is not None
        self.transport.write(packed)
        return future


class Wire:
    """One pipelined connection; `call` sends a command and returns its raw (bytes) reply."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 6379,
        path: str | None = None,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        call_timeout_s: float = CALL_TIMEOUT_S,
    ) -> None:
        self.host, self.port, self.path = host, port, path
        self.db, self.username, self.password = db, username, password
        self.call_timeout_s = call_timeout_s
        self._protocol: _Protocol | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connecting: asyncio.Lock | None = None

    @classmethod
    def for_client(cls, redis: Redis) -> Wire | None:
        """A wire to the server `redis` talks to, or None when it cannot be reached this way
        (TLS, or a connection class other than plain TCP and Unix socket)."""
        pool = redis.connection_pool
        kwargs = pool.connection_kwargs
        if pool.connection_class is UnixDomainSocketConnection:
            host, port, path = "", 0, str(kwargs["path"])
        elif pool.connection_class is Connection:
            host, port, path = (
                str(kwargs.get("host", "localhost")),
                int(kwargs.get("port", 6379)),
                None,
            )
        else:
            return None
        return cls(
            host=host,
            port=port,
            path=path,
            db=int(kwargs.get("db") or 0),
            username=kwargs.get("username"),
            password=kwargs.get("password"),
            call_timeout_s=float(kwargs.get("socket_timeout") or CALL_TIMEOUT_S),
        )

    async def call(self, packed: bytes) -> Any:
        """Send one command packed by `pack` and return its reply (bulk strings as bytes)."""
        protocol = self._protocol
        if protocol is None or protocol.lost is not None or self._loop is not _running_loop():
            protocol = await self._connect()
        future = protocol.send(packed)
        timer = asyncio.get_running_loop().call_later(
            self.call_timeout_s, self._expire, protocol, future
        )
        try:
            return await future
        finally:
            timer.cancel()

    def _expire(self, protocol: _Protocol, future: asyncio.Future[Any]) -> None:
        if future.done():
            return
        # the late reply would be matched to the next request: drop the connection instead
        protocol.fail(RedisTimeoutError(f"Redis did not answer within {self.call_timeout_s} s"))
        if protocol.transport is not None:
            protocol.transport.abort()

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._connecting is None:
            # a wire made under another event loop (tests) starts afresh on this one
            self._loop, self._connecting, self._protocol = loop, asyncio.Lock(), None
        async with self._connecting:
            if self._protocol is not None and self._protocol.lost is None:
                return self._protocol
            try:
                protocol = await asyncio.wait_for(self._open(loop), CONNECT_TIMEOUT_S)
            except TimeoutError as exc:
                raise RedisTimeoutError(f"connecting to Redis at {self.address}") from exc
            except OSError as exc:
                raise RedisConnectionError(f"connecting to Redis at {self.address}: {exc}") from exc
            self._protocol = protocol
            return protocol

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Protocol:
        protocol = await self.open(_Protocol)
        hello = []
        if self.password is not None:
            user = () if self.username is None else (self.username,)
            hello.append(pack("AUTH", *user, self.password))
        if self.db:
            hello.append(pack("SELECT", self.db))
        try:
            for command in hello:
                await protocol.send(command)
        except ResponseError:
            assert protocol.transport is not None
            protocol.transport.close()
            raise
        return protocol

    async def open(self, factory: Callable[[], P]) -> P:
        """A new connection to this wire's server with `factory`'s protocol (no hello sent);
        TCP without Nagle's delay, as every reply here is small and awaited."""
        loop = asyncio.get_running_loop()
        if self.path is not None:
            _, protocol = await loop.create_unix_connection(factory, self.path)
            return protocol
        transport, protocol = await loop.create_connection(factory, self.host, self.port)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return protocol

    @property
    def connected(self) -> bool:
        """True while the wire holds an open connection (it opens one on the next call)."""
        return self._protocol is not None and self._protocol.lost is None

    @property
    def address(self) -> str:
        """Where the wire connects, for messages."""
        return self.path or f"{self.host}:{self.port}"

    async def aclose(self) -> None:
        """Close the connection; a later call opens a new one."""
        protocol, self._protocol = self._protocol, None
        if protocol is not None and protocol.transport is not None:
            protocol.transport.close()


def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def pack(*args: str | bytes | int | float) -> bytes:
    """One command in RESP, ready for `Wire.call` (hiredis's C packer)."""
    # the stub declares a 1-tuple; any number of arguments is meant
    return hiredis.pack_command(args)  # type: ignore[arg-type,no-any-return]
