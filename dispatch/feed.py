"""Keeps a node's `Mirror` (dispatch/mirror.py) in step with the Redis index, or says it is not.

One subscriber connection per node reads the index's feed channel. To get in step it
subscribes first, then takes each shard's snapshot (snapshot.lua): the script publishes a
marker on the feed in the same atomic step, so of the messages buffered meanwhile exactly
those after a shard's marker are applied on top of its snapshot. From then on every message
is applied as it arrives, in `data_received`, with no task switch in between: by the time a
writer's own reply is read, its change is in the mirror (same loop, Redis flushes the
subscriber's copy first).

**Never stale.** `mirror` is None, and the index searches Redis itself, whenever the mirror
cannot be known to be in step: before the first sync, as soon as the connection is lost (a
Redis restart: the refilled index is read from Redis, empty at first, so "position unknown"
rather than old positions), after the index was cleared (`R` on the feed), and when the
index's epoch key changed or vanished (FLUSHALL): checked every `epoch_check_s`. It then
reconnects and syncs again, with backoff.

Single Redis only: on Redis Cluster a script's PUBLISH goes to every node and shards would
need one subscriber each; the index searches Redis there (`PositionIndex.feed` is None).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from typing import Any, cast

import hiredis
from h3.api import basic_int as h3i
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, RedisError, ResponseError

from dispatch.codec import text
from dispatch.errors import DispatchError
from dispatch.geo import CELL_ID_CHARS
from dispatch.keys import KeySpace
from dispatch.mirror import DROP, PUT, Mirror
from dispatch.scripts import Call, Scripts
from dispatch.wire import CONNECT_TIMEOUT_S, Wire, pack

log = logging.getLogger(__name__)

MARKER = ord("S")
RESET = ord("R")
EPOCH_CHECK_S = 1.0
SYNC_TIMEOUT_S = 10.0
_MIN_BACKOFF_S = 0.05
_MAX_BACKOFF_S = 2.0


class _Resync(Exception):
    """The index was cleared while a sync was reading it: start the sync again."""


class _Subscriber(asyncio.Protocol):
    """A RESP connection in subscribe mode: pushed messages go to `on_message`, in order."""

    def __init__(self, feed: MirrorFeed) -> None:
        self.feed = feed
        self.reader = hiredis.Reader(protocolError=InvalidResponse, replyError=ResponseError)
        self.replies: deque[asyncio.Future[Any]] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost = asyncio.Event()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            if isinstance(reply, list) and reply and reply[0] == b"message":
                self.feed.on_message(reply[2])
            elif self.replies:
                future = self.replies.popleft()
                if not future.done():
                    if isinstance(reply, Exception):
                        future.set_exception(reply)
                    else:
                        future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        # synchronously: no search may read the mirror once its feed is gone
        self.feed.out_of_step(f"feed connection lost: {exc or 'closed'}")
        self.lost.set()
        self.feed.wake()
        error = RedisConnectionError(f"Redis connection lost: {exc or 'closed'}")
        while self.replies:
            future = self.replies.popleft()
            if not future.done():
                future.set_exception(error)

    def send(self, packed: bytes) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.replies.append(future)
        assert self.transport is not None
        self.transport.write(packed)
        return future


class MirrorFeed:
    """The subscriber, the sync and the watch that keep `mirror` in step (module docstring)."""

    def __init__(
        self,
        redis: Redis,
        address: Wire,
        keys: KeySpace,
        scripts: Scripts,
        *,
        index_res: int,
        shard_res: int,
        epoch_check_s: float = EPOCH_CHECK_S,
        sync_timeout_s: float = SYNC_TIMEOUT_S,
    ) -> None:
        self.redis = redis
        self.address = address
        self.keys = keys
        self.scripts = scripts
        self.index_res = index_res
        self.shard_res = shard_res
        self.epoch_check_s = epoch_check_s
        self.sync_timeout_s = sync_timeout_s
        self.channel = keys.feed
        self.client_name = f"pingan-mirror:{keys.prefix}"
        self.mirror: Mirror | None = None
        """The mirror while it is known to be in step; None otherwise (search Redis)."""
        self.syncs = 0
        """Completed syncs: 1 after the first, +1 after every resync."""
        self._buffer: list[bytes] | None = None
        self._expected: set[str] = set()
        self._markers = asyncio.Event()
        self._pings: dict[str, asyncio.Future[None]] = {}
        self._wake = asyncio.Event()
        self._in_step = asyncio.Event()
        self._epoch: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._protocol: _Subscriber | None = None

    # -- the feed -------------------------------------------------------------------------

    def on_message(self, message: bytes) -> None:
        """One message from the channel, in publication order."""
        if not message:
            return
        kind = message[0]
        if kind == MARKER:
            self._marker(message[1:].decode())
        if self._buffer is not None:
            self._buffer.append(message)
        elif kind == RESET:
            self.out_of_step("the index was cleared", quiet=True)
            self.wake()
        elif self.mirror is not None and kind in (PUT, DROP):
            try:
                self.mirror.apply(message)
            except (ValueError, IndexError, KeyError) as exc:
                # a message we cannot read leaves the mirror unknown: never search it
                self.out_of_step(f"unreadable feed message ({exc})")
                self.wake()

    def _marker(self, token: str) -> None:
        waiter = self._pings.pop(token, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if token in self._expected:
            self._expected.discard(token)
            if not self._expected:
                self._markers.set()

    def wake(self) -> None:
        """Make the watch (or a sync waiting for its markers) look at the connection now."""
        self._wake.set()
        self._markers.set()

    def out_of_step(self, why: str, *, quiet: bool = False) -> None:
        """Stop serving searches from the mirror until the next sync."""
        if self.mirror is not None:
            log.log(
                logging.INFO if quiet else logging.WARNING,
                "position mirror out of step (%s): searches read Redis until resync",
                why,
            )
        self.mirror = None
        self._in_step.clear()

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start keeping the mirror in step (in the background; `mirror` stays None until the
        first sync completes)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="position-mirror")

    async def wait_in_step(self, timeout_s: float = SYNC_TIMEOUT_S) -> bool:
        """Wait until the mirror is in step; False if it is not within the timeout."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._in_step.wait()
        return self.mirror is not None

    async def caught_up(self, timeout_s: float = SYNC_TIMEOUT_S) -> bool:
        """Wait until every change published before this call is in the mirror (a marker
        round trip through the feed); False when the mirror is not in step."""
        if not await self.wait_in_step(timeout_s):
            return False
        token = uuid.uuid4().hex
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pings[token] = waiter
        try:
            await self.redis.publish(self.channel, b"S" + token.encode())
            async with asyncio.timeout(timeout_s):
                await waiter
        except (TimeoutError, RedisError):
            return False
        finally:
            self._pings.pop(token, None)
        # a resync the marker overtook (a clear just before it) ends holding it too
        return await self.wait_in_step(timeout_s)

    async def aclose(self) -> None:
        """Stop the subscriber; the mirror is no longer served."""
        self.out_of_step("closing", quiet=True)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._close()

    # -- keeping in step ------------------------------------------------------------------

    async def _run(self) -> None:
        delay = _MIN_BACKOFF_S
        while True:
            synced = self.syncs
            try:
                await self._session()
            except (OSError, TimeoutError, RedisError, DispatchError) as exc:
                if self.syncs > synced:
                    delay = _MIN_BACKOFF_S  # it was in step: back quickly
                log.warning("position mirror: %s; retrying in %.2f s", exc, delay)
            self.out_of_step("resyncing")
            self._close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, _MAX_BACKOFF_S)

    async def _session(self) -> None:
        protocol = await self._subscribe()
        while True:
            self._wake.clear()
            await self._sync()
            while self.mirror is not None:
                # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancel that
                # comes as the event fires, and aclose would wait for this task forever
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.epoch_check_s):
                        await self._wake.wait()
                if protocol.lost.is_set():
                    raise RedisConnectionError("feed connection lost")
                if self.mirror is not None and await self._read_epoch() != self._epoch:
                    self.out_of_step("the index's epoch changed (its data was flushed)")

    async def _subscribe(self) -> _Subscriber:
        a = self.address
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            protocol = await a.open(lambda: _Subscriber(self))
            self._protocol = protocol
            if a.password is not None:
                user = () if a.username is None else (a.username,)
                await protocol.send(pack("AUTH", *user, a.password))
            # named, so an operator (or a test) can tell it in CLIENT LIST
            await protocol.send(pack("CLIENT", "SETNAME", self.client_name))
            await protocol.send(pack("SUBSCRIBE", self.channel))
        return protocol

    async def _sync(self) -> None:
        """Snapshot every shard on top of the subscription; `mirror` is set when done."""
        while True:
            self.mirror = None
            self._buffer = []
            try:
                mirror = await self._snapshot()
            except _Resync:
                continue
            finally:
                self._buffer = None
            # no await since the buffer was read: the messages that arrive from here on are
            # applied by on_message directly
            self.mirror = mirror
            self._in_step.set()
            self.syncs += 1
            return

    async def _snapshot(self) -> Mirror:
        await self.redis.set(self.keys.epoch, uuid.uuid4().hex, nx=True)
        self._epoch = await self._read_epoch()
        shards = sorted(text(member) for member in await self.redis.smembers(self.keys.shards))
        tokens = {uuid.uuid4().hex: shard for shard in shards}
        self._expected = set(tokens)
        self._markers.clear()
        replies = (
            await self.scripts.run_many(
                self.redis,
                [
                    Call("snapshot", [self.keys.seen(shard)], [self.keys.base(shard), token])
                    for token, shard in tokens.items()
                ],
                raw=True,
            )
            if tokens
            else []
        )
        if tokens:
            async with asyncio.timeout(self.sync_timeout_s):
                await self._markers.wait()
        if self._protocol is None or self._protocol.lost.is_set():
            raise RedisConnectionError("feed connection lost during the sync")
        mirror = Mirror(self.index_res)
        for reply in replies:
            for value in reply:
                mirror.apply(value)
        assert self._buffer is not None
        passed: set[str] = set()
        held = set(shards)
        for message in self._buffer:
            kind = message[0]
            if kind == MARKER:
                shard = tokens.get(message[1:].decode())
                if shard is not None:
                    passed.add(shard)
            elif kind == RESET:
                raise _Resync
            elif kind in (PUT, DROP):
                if self._shard_of(message) in held - passed:
                    continue  # the snapshot read after this change: it is already in
                mirror.apply(message)
        return mirror

    async def _read_epoch(self) -> str | None:
        value = await self.redis.get(self.keys.epoch)
        return None if value is None else text(value)

    def _shard_of(self, message: bytes) -> str:
        cell = int(message[1 : 1 + CELL_ID_CHARS], 16)
        return format(h3i.cell_to_parent(cell, self.shard_res), "x")

    def _close(self) -> None:
        protocol, self._protocol = self._protocol, None
        if protocol is not None and protocol.transport is not None:
            protocol.transport.close()
