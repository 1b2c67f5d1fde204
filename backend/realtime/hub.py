"""The per-node hub: reads the streams once, fans out to this node's sockets.

Guarantees, per subscription: events arrive in stream order, none is skipped (a client that
resumes gets exactly what it missed, or a snapshot flagged ``reset``), and a slow client never
slows the others: each socket has a bounded queue and a sender of its own; a full queue or a send
that stalls past the timeout drops that socket with close code 4008, and the client resumes.

Cost per delivery matters (one event to 5,000 walls is 5,000 sends). An event's frame is built
once; a socket that is idle (nothing queued, no send in flight) and can take it without waiting
gets it written straight into its transport by the hub, with no task switch. Only a socket that
is busy or paused goes through its queue and sender. A send arms no timer of its own; one
watchdog per hub checks every sender's start time a few times per timeout instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.exceptions import RedisError

from backend.realtime.direct import text_frame
from backend.realtime.protocol import (
    ENCODER,
    CloseCode,
    Cursor,
    Error,
    PositionItem,
    Positions,
    ServerMessage,
    Snapshot,
    Subscribed,
)
from backend.realtime.streams import EventStreams, StreamEntry, StreamRef, decode_entry
from backend.realtime.topics import TopicError, TopicRegistry, TopicSpec, parse_topic
from backend.security.principal import Principal

log = logging.getLogger("pingan.hub")
MAX_BUFFERED = 10_000  # live entries held while a subscription is being set up
# Subscriptions catching up at once: each holds a Redis connection (redis-py's pool has 100 and
# raises beyond them), so a reconnect storm queues here instead of failing.
MAX_CATCH_UPS = 32


class Sink(Protocol):
    """What the hub needs of a socket."""

    async def send_text(self, data: str) -> None:
        """Send one text frame (may wait for the peer to read)."""

    def writable(self) -> bool:
        """Whether :meth:`write_frame` would write now."""

    def write_frame(self, frame: bytes) -> bool:
        """Write complete text frames now if the socket takes them without waiting; else False
        (nothing written: the hub queues the message for :meth:`send_text`)."""

    async def close(self, code: int, reason: str) -> None:
        """Close the connection."""


class Subscription:
    """One topic of one client, with its place in the stream."""

    def __init__(self, client: Client, spec: TopicSpec, ref: StreamRef | None) -> None:
        self.client = client
        self.spec = spec
        self.ref = ref
        self.next_seq = 0
        self.buffer: list[StreamEntry] | None = []  # None once live

    def deliver(self, entry: StreamEntry) -> None:
        """Pass a live entry on, in order, exactly once."""
        if self.buffer is not None:
            self.buffer.append(entry)
            if len(self.buffer) > MAX_BUFFERED:
                self.client.drop(CloseCode.TOO_SLOW, "subscription set-up fell behind")
            return
        if entry.seq < self.next_seq:
            return
        self.next_seq = entry.seq + 1
        spec = self.spec
        if spec.accepts(entry.org_path, entry.subject) and (
            spec.kind_prefix is None or spec.accepts_kind(entry.kind, entry.message)
        ):
            self.client.offer(entry.message, entry.frame)


class Client:
    """One socket: its principal, subscriptions, bounded outgoing queue and sender task."""

    def __init__(self, hub: Hub, sink: Sink, principal: Principal) -> None:
        self.hub = hub
        self.sink = sink
        self.principal = principal
        self.subs: dict[str, Subscription] = {}
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=hub.queue_size)
        self.closed = False
        self.close_code: int | None = None
        self.close_reason = ""
        self.pending_positions: dict[str, PositionItem] = {}
        self.pending_removed: set[str] = set()
        self.position_seq = 0
        self.sent = 0
        self.sender: asyncio.Task[None] | None = None
        self.sending_since: float | None = None  # loop time the current send began
        self.corked: list[tuple[str, bytes]] | None = None  # held for one write (Hub.corking)
        self.timed_out = False

    def offer(self, text: str, frame: bytes = b"") -> None:
        """Write a message now when the socket is idle and writable, else queue it; a full queue
        means the client cannot keep up: drop it. ``frame`` is ``text`` as a frame when the
        caller built one to share (an event for many sockets); otherwise it is built here."""
        if self.closed:
            return
        if self.corked is not None:  # after others held for this batch's one write: keep order
            self.corked.append((text, frame or text_frame(text.encode())))
            return
        # Idle: nothing queued and no send in flight, so writing now keeps the order.
        idle = self.sending_since is None and self.queue.empty()
        if idle and self.hub.corking and self.sink.writable():
            self.corked = [(text, frame or text_frame(text.encode()))]
            self.hub.corked.append(self)
            return
        if idle and self.sink.write_frame(frame or text_frame(text.encode())):
            self.sent += 1
            self.hub.written_direct += 1
            return
        self._enqueue(text)

    def _enqueue(self, text: str) -> None:
        self.hub.queued += 1
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.drop(CloseCode.TOO_SLOW, "too slow: reconnect and resume")

    def uncork(self) -> None:
        """Write what this batch held for the socket in one write (same frames, back to back)."""
        held, self.corked = self.corked or [], None
        if self.closed or not held:
            return
        if self.sink.write_frame(b"".join(frame for _, frame in held)):
            self.sent += len(held)
            self.hub.written_direct += len(held)
            return
        for text, _ in held:  # the socket went away meanwhile: the sender's path decides
            self._enqueue(text)

    def send(self, message: ServerMessage) -> None:
        """Encode and queue a message."""
        self.offer(ENCODER.encode(message).decode())

    def drop(self, code: int | None, reason: str) -> None:
        """Leave the hub and have the sender close the socket with ``code`` (once); ``None``
        when the connection is already gone."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self.close_reason = reason
        self.hub.remove(self)
        if code == CloseCode.TOO_SLOW:
            self.hub.dropped_slow += 1
        # Whatever is still queued will not be sent: make room for the stop marker.
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def run_sender(self) -> None:
        """Send queued messages one at a time; a send that stalls past the timeout drops the client
        (the hub's :meth:`Hub.watch_senders` cancels it).

        Ends when the client is dropped, closing the socket with the drop's code.
        """
        self.sender = asyncio.current_task()
        self.hub.senders.add(self)
        clock = asyncio.get_running_loop().time
        try:
            while True:
                text = await self.queue.get()
                if text is None or self.closed:
                    return
                self.sending_since = clock()
                try:
                    await self.sink.send_text(text)
                except asyncio.CancelledError:
                    if not self.timed_out or self.sender is None:
                        raise
                    self.sender.uncancel()  # the watchdog's cancel, not a shutdown: close below
                    return
                except Exception:
                    self.drop(None, "connection lost")
                    return
                self.sending_since = None
                self.sent += 1
        finally:
            self.sending_since = None
            self.hub.senders.discard(self)
            if self.close_code is not None:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(2.0):  # not wait_for: see socket._receive_loop
                        await self.sink.close(self.close_code, self.close_reason)


PositionSnapshot = Callable[[TopicSpec], Awaitable[list[PositionItem]]]


class Hub:
    """Fan-out for this node. Start :meth:`run` and :meth:`run_positions` as background tasks."""

    def __init__(
        self,
        streams: EventStreams,
        registry: TopicRegistry,
        *,
        snapshot_context: Any,
        load_districts: Callable[[], Awaitable[list[str]]],
        queue_size: int = 1000,
        send_timeout_s: float = 5.0,
        max_subscriptions: int = 20,
        position_interval_s: float = 0.5,
    ) -> None:
        self.streams = streams
        self.registry = registry
        self.snapshot_context = snapshot_context
        self._load_districts = load_districts
        self.districts: list[str] = []
        self.queue_size = queue_size
        self.send_timeout_s = send_timeout_s
        self.max_subscriptions = max_subscriptions
        self.position_interval_s = position_interval_s
        self.clients: set[Client] = set()
        self.senders: set[Client] = set()  # clients whose sender runs (dropped ones too)
        self._catch_ups = asyncio.Semaphore(MAX_CATCH_UPS)
        self._by_stream: dict[str, set[Subscription]] = {}
        self._position_subs: set[Subscription] = set()
        self._epochs: dict[str, str] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.position_snapshot: PositionSnapshot | None = None
        self.latest_positions: dict[str, tuple[PositionItem, str]] = {}
        self.on_client_position: Callable[[Client, Any], Awaitable[None]] | None = None
        self.on_client_command: Callable[[Client, Any], Awaitable[None]] | None = None
        self.position_max_age_s = 120.0
        self.delivered = 0
        self.dropped_slow = 0
        self.written_direct = 0  # messages written straight into an idle socket
        # While the hub hands out several entries of one read, idle sockets collect their frames
        # and get them in one write: one syscall per socket per batch instead of per entry.
        self.corking = False
        self.corked: list[Client] = []
        self.queued = 0  # messages that went through a socket's queue and sender

    # --- clients -------------------------------------------------------------------------

    def attach(self, sink: Sink, principal: Principal) -> Client:
        """A new client; the caller runs ``client.run_sender()``."""
        client = Client(self, sink, principal)
        self.clients.add(client)
        return client

    def remove(self, client: Client) -> None:
        """Forget a client and its subscriptions."""
        self.clients.discard(client)
        for sub in client.subs.values():
            if sub.ref is not None:
                self._by_stream.get(sub.ref.key, set()).discard(sub)
            self._position_subs.discard(sub)
        client.subs.clear()

    def spawn(self, coro: Awaitable[Any]) -> None:
        """Run a fire-and-forget task, keeping a reference so it is not collected."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def unsubscribe(self, client: Client, topic: str) -> None:
        """Stop a topic (no error if it was not subscribed)."""
        sub = client.subs.pop(topic, None)
        if sub is not None and sub.ref is not None:
            self._by_stream.get(sub.ref.key, set()).discard(sub)
        if sub is not None:
            self._position_subs.discard(sub)

    async def subscribe(self, client: Client, topic: str, since: Cursor | None) -> TopicSpec:
        """Authorise, then replay from ``since`` or snapshot, then go live; raises TopicError."""
        if topic in client.subs:
            raise TopicError("already_subscribed", f"already subscribed to {topic}")
        if len(client.subs) >= self.max_subscriptions:
            raise TopicError(
                "too_many_subscriptions", f"at most {self.max_subscriptions} subscriptions"
            )
        spec = parse_topic(topic, client.principal)
        if spec.stream == "positions":
            await self._subscribe_positions(client, spec)
            return spec
        ref = self.streams.ref(spec.district, spec.stream)
        sub = Subscription(client, spec, ref)
        client.subs[topic] = sub
        self._by_stream.setdefault(ref.key, set()).add(sub)
        try:
            async with self._catch_ups:
                await self._catch_up(client, sub, ref, since)
        except BaseException:
            self.unsubscribe(client, topic)
            raise
        return spec

    async def _catch_up(
        self, client: Client, sub: Subscription, ref: StreamRef, since: Cursor | None
    ) -> None:
        pos = await self.streams.position(ref)
        resumable = (
            since is not None
            and since.epoch == pos.epoch
            and since.seq <= pos.last
            and (since.seq == pos.last or (pos.first is not None and pos.first <= since.seq + 1))
        )
        if resumable and since is not None:
            after, replayed = await self._replay(client, sub, ref, pos.epoch, since.seq)
        else:
            data = await self.registry.snapshot_fn(sub.spec.kind)(
                self.snapshot_context, client.principal, sub.spec
            )
            client.send(
                Snapshot(
                    topic=sub.spec.topic,
                    stream=ref.name,
                    epoch=pos.epoch,
                    seq=pos.last,
                    reset=since is not None,
                    data=data,
                )
            )
            after, replayed = await self._replay(client, sub, ref, pos.epoch, pos.last)
        client.send(
            Subscribed(
                topic=sub.spec.topic, stream=ref.name, epoch=pos.epoch, seq=after, replayed=replayed
            )
        )
        sub.next_seq = after + 1
        buffered, sub.buffer = sub.buffer or [], None
        for entry in buffered:
            sub.deliver(entry)

    async def _replay(
        self, client: Client, sub: Subscription, ref: StreamRef, epoch: str, after: int
    ) -> tuple[int, int]:
        replayed = 0
        while True:
            entries = await self.streams.read_range(ref, epoch, after, count=1000)
            if not entries:
                return after, replayed
            for entry in entries:
                spec = sub.spec
                if spec.accepts(entry.org_path, entry.subject) and (
                    spec.kind_prefix is None or spec.accepts_kind(entry.kind, entry.message)
                ):
                    client.offer(entry.message, entry.frame)
                    replayed += 1
                after = entry.seq

    # --- positions -----------------------------------------------------------------------

    async def _subscribe_positions(self, client: Client, spec: TopicSpec) -> None:
        sub = Subscription(client, spec, None)
        sub.buffer = None
        client.subs[spec.topic] = sub
        self._position_subs.add(sub)
        items = (
            await self.position_snapshot(spec)
            if self.position_snapshot
            else self.snapshot_positions(spec, time.time())
        )
        client.position_seq += 1
        client.send(Positions(topic=spec.topic, seq=client.position_seq, items=items))

    def note_position(self, item: PositionItem, org_path: str | None) -> None:
        """A responder moved: mark it pending for every client whose positions topic covers it."""
        if org_path is not None:
            self.latest_positions[item.responder_id] = (item, org_path)
        # Only the position subscriptions: this runs for every report, so it must not walk all sockets.
        for sub in self._position_subs:
            if sub.spec.accepts(org_path, None):
                sub.client.pending_positions[item.responder_id] = item
                sub.client.pending_removed.discard(item.responder_id)

    def note_removed(self, responder_id: str) -> None:
        """A responder went off duty: every client that may have it shown drops it."""
        self.latest_positions.pop(responder_id, None)
        for sub in self._position_subs:
            sub.client.pending_positions.pop(responder_id, None)
            sub.client.pending_removed.add(responder_id)

    def on_position_fields(self, fields: dict[bytes, bytes]) -> None:
        """Apply one entry of a position stream (as written by the position service)."""
        rid = fields[b"rid"].decode()
        if fields.get(b"removed"):
            self.note_removed(rid)
            return
        caps = fields[b"caps"].decode()
        item = PositionItem(
            responder_id=rid,
            lat=float(fields[b"lat"]),
            lon=float(fields[b"lon"]),
            status=fields[b"st"].decode(),
            ts=float(fields[b"ts"]),
            capabilities=caps.split(",") if caps else [],
        )
        self.note_position(item, fields[b"org"].decode())

    def snapshot_positions(self, spec: TopicSpec, now: float) -> list[PositionItem]:
        """The latest known position of every fresh responder the topic covers."""
        return [
            item
            for item, org in self.latest_positions.values()
            if spec.accepts(org, None) and now - item.ts <= self.position_max_age_s
        ]

    async def run_positions(self) -> None:
        """Every interval, send each client one batch with the latest of what moved."""
        while True:
            await asyncio.sleep(self.position_interval_s)
            for client in list(self.clients):
                nothing_new = not (client.pending_positions or client.pending_removed)
                if nothing_new or client.queue.qsize() > self.queue_size // 2:
                    continue  # nothing new, or busy: keep coalescing until it drains
                topic = next(
                    (t for t, s in client.subs.items() if s.spec.stream == "positions"), "positions"
                )
                items = list(client.pending_positions.values())
                removed = sorted(client.pending_removed)
                client.pending_positions.clear()
                client.pending_removed.clear()
                client.position_seq += 1
                client.send(
                    Positions(topic=topic, seq=client.position_seq, items=items, removed=removed)
                )

    # --- slow senders --------------------------------------------------------------------

    async def watch_senders(self) -> None:
        """Forever: drop (4008) every client whose current send has taken longer than the send
        timeout, and cancel that send. Checks four times per timeout (at most every second), so a
        stalled client goes within 1.25x the timeout; runs as part of :meth:`run`."""
        clock = asyncio.get_running_loop().time
        interval = max(0.05, min(1.0, self.send_timeout_s / 4))
        while True:
            await asyncio.sleep(interval)
            too_old = clock() - self.send_timeout_s
            for client in [
                c for c in self.senders if c.sending_since is not None and c.sending_since < too_old
            ]:
                client.timed_out = True
                client.drop(CloseCode.TOO_SLOW, "too slow: reconnect and resume")
                if client.sender is not None:
                    client.sender.cancel()

    # --- the stream reader ---------------------------------------------------------------

    async def run(self, on_position: Callable[[dict[bytes, bytes]], None] | None = None) -> None:
        """Read every stream of this node's districts and deliver; survive Redis outages.

        Also runs the slow-sender watchdog (:meth:`watch_senders`) for as long as it runs."""
        watchdog = asyncio.create_task(self.watch_senders(), name="hub-watchdog")
        try:
            await self._read_streams(on_position)
        finally:
            watchdog.cancel()

    async def _read_streams(self, on_position: Callable[[dict[bytes, bytes]], None] | None) -> None:
        cursors: dict[StreamRef, str] = {}
        while True:
            try:
                if not cursors:
                    cursors = await self._initial_cursors()
                    if not cursors:
                        continue
                if not await self._read_once(cursors, on_position) and await self._epoch_changed():
                    cursors = {}
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("hub lost Redis; retrying", extra={"error": type(exc).__name__})
                await asyncio.sleep(1.0)
                if await self._epoch_changed():
                    cursors = {}

    async def _read_once(
        self,
        cursors: dict[StreamRef, str],
        on_position: Callable[[dict[bytes, bytes]], None] | None,
    ) -> bool:
        """One blocking read of every stream; returns whether anything arrived."""
        results = await self.streams.read_new(cursors, block_ms=1000)
        for ref, entries in results:
            if ref.name.startswith("positions:"):
                for entry_id, fields in entries:
                    cursors[ref] = entry_id.decode()
                    if on_position is not None:
                        on_position(fields)
                continue
            epoch = self._epochs[ref.key]
            self.corking = len(entries) > 1
            try:
                for entry_id, fields in entries:
                    cursors[ref] = entry_id.decode()
                    entry = decode_entry(ref.name, epoch, entry_id, fields)
                    for sub in list(self._by_stream.get(ref.key, ())):
                        sub.deliver(entry)
                    self.delivered += 1
            finally:
                self.corking = False
                corked, self.corked = self.corked, []
                for client in corked:
                    client.uncork()
        return bool(results)

    async def _initial_cursors(self) -> dict[StreamRef, str]:
        cursors: dict[StreamRef, str] = {}
        self.districts = await self._load_districts()
        if not self.districts:  # no geography loaded yet: look again shortly
            await asyncio.sleep(2.0)
            return cursors
        for district in self.districts:
            for name in ("incidents", "personal"):
                ref = self.streams.ref(district, name)
                pos = await self.streams.position(ref)
                self._epochs[ref.key] = pos.epoch
                cursors[ref] = f"{pos.last}-0"
            cursors[self.streams.positions_ref(district)] = "$"
        return cursors

    async def _epoch_changed(self) -> bool:
        """Redis lost the streams (restarted empty): every subscriber must resynchronise."""
        try:
            changed = False
            for district in self.districts:
                for name in ("incidents", "personal"):
                    ref = self.streams.ref(district, name)
                    known = self._epochs.get(ref.key)
                    if known is None:
                        continue
                    if (await self.streams.position(ref)).epoch != known:
                        changed = True
                        for sub in list(self._by_stream.get(ref.key, ())):
                            sub.client.send(
                                Error(code="resync", message="event stream restarted; reconnecting")
                            )
                            sub.client.drop(
                                CloseCode.GOING_AWAY, "stream restarted: resume for a snapshot"
                            )
        except (RedisError, OSError):
            return False
        return changed
