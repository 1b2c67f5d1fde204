"""Event streams on Redis: numbered appends (Lua), ranges for resume, and the stream keys.

A stream is one district's ``incidents`` or ``personal`` events. Entry ids are ``<seq>-0`` with
``seq`` contiguous per stream, so "did the client miss anything the stream no longer holds" is a
comparison of two integers.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
from redis.asyncio import Redis

from backend.realtime.direct import text_frame
from backend.realtime.protocol import ENCODER, Event

_PUBLISH = (Path(__file__).parent / "lua" / "publish.lua").read_text()
STREAMS = ("incidents", "personal")


class StreamRef(msgspec.Struct, frozen=True, kw_only=True):
    """One stream: its public name (``incidents:440310``) and its Redis keys."""

    name: str
    key: str
    meta: str


def stream_ref(prefix: str, district: str, stream: str) -> StreamRef:
    """The keys of a district's stream; the hash tag keeps stream and meta in one cluster slot."""
    tag = f"{{ev:{district}:{stream}}}"
    return StreamRef(
        name=f"{stream}:{district}", key=f"{prefix}:{tag}", meta=f"{prefix}:{tag}:meta"
    )


class StreamEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A decoded entry, with the client message pre-encoded once for every subscriber."""

    seq: int
    epoch: str
    id: int
    kind: str
    org_path: str | None
    subject: str | None
    message: str
    """The client message, encoded once for every subscriber."""
    frame: bytes = b""
    """The same message as a complete WebSocket text frame, for sockets written to directly."""


class StreamPosition(msgspec.Struct, frozen=True, kw_only=True):
    """A stream's epoch, last sequence, and the first sequence it still holds."""

    epoch: str
    last: int
    first: int | None


class EventStreams:
    """Appends to and reads from the event streams."""

    def __init__(self, redis: Redis, prefix: str, *, maxlen: int = 10_000) -> None:
        self._redis = redis
        self._prefix = prefix
        self._maxlen = maxlen
        self._publish = redis.register_script(_PUBLISH)

    def ref(self, district: str, stream: str) -> StreamRef:
        """The keys of ``stream`` of ``district``."""
        return stream_ref(self._prefix, district, stream)

    def positions_ref(self, district: str) -> StreamRef:
        """The stream of live position reports of a district (not sequenced, not resumable)."""
        tag = f"{{pos:{district}}}"
        return StreamRef(
            name=f"positions:{district}",
            key=f"{self._prefix}:{tag}",
            meta=f"{self._prefix}:{tag}:meta",
        )

    async def publish_positions(self, district: str, entries: Sequence[dict[str, str]]) -> None:
        """Append position reports for the hubs to batch (bounded; old reports simply fall off)."""
        key = self.positions_ref(district).key
        async with self._redis.pipeline(transaction=False) as pipe:
            for fields in entries:
                pipe.xadd(key, fields, maxlen=max(1000, self._maxlen), approximate=True)  # type: ignore[arg-type]
            await pipe.execute()

    async def publish(self, rows: Sequence[Any]) -> list[int]:
        """Append outbox rows (id, district, stream, kind, org_path, subject, payload, created_at) in
        order; returns the sequence each got. One pipeline, one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for row in rows:
                ref = self.ref(row["district"], row["stream"])
                fields = [
                    "id",
                    str(row["id"]),
                    "kind",
                    row["kind"],
                    "at",
                    repr(row["created_at"].timestamp()),
                    "org",
                    row["org_path"] or "",
                    "subject",
                    row["subject"] or "",
                    "data",
                    msgspec.json.encode(row["payload"]),
                ]
                await self._publish(
                    keys=[ref.key, ref.meta],
                    args=[self._maxlen, secrets.token_hex(8), *fields],
                    client=pipe,
                )
            results = await pipe.execute()
        return [int(r[1]) for r in results]

    async def position(self, ref: StreamRef) -> StreamPosition:
        """Where the stream stands now (an empty, never-used stream has last 0)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hmget(ref.meta, "epoch", "last")
            pipe.xrange(ref.key, "-", "+", count=1)
            (epoch, last), first = await pipe.execute()
        if epoch is None:
            # Adopt an epoch now so a client snapshotting an idle stream can resume later.
            await self._redis.hsetnx(ref.meta, "epoch", secrets.token_hex(8))
            epoch = await self._redis.hget(ref.meta, "epoch")
        first_seq = int(first[0][0].split(b"-")[0]) if first else None
        return StreamPosition(epoch=epoch.decode(), last=int(last or 0), first=first_seq)

    async def read_range(
        self, ref: StreamRef, epoch: str, after: int, *, count: int = 1000
    ) -> list[StreamEntry]:
        """Entries with seq > ``after``, oldest first (at most ``count``)."""
        raw: Any = await self._redis.xrange(ref.key, f"{after + 1}-0", "+", count=count)
        return [decode_entry(ref.name, epoch, entry_id, fields) for entry_id, fields in raw]

    async def read_new(
        self, cursors: dict[StreamRef, str], *, block_ms: int = 1000, count: int = 500
    ) -> list[tuple[StreamRef, list[tuple[bytes, dict[bytes, bytes]]]]]:
        """XREAD BLOCK from each stream's last seen entry id; returns raw entries per stream."""
        by_key = {ref.key: ref for ref in cursors}
        streams: Any = {ref.key: last for ref, last in cursors.items()}
        raw: Any = await self._redis.xread(streams, block=block_ms, count=count)
        return [
            (by_key[key.decode() if isinstance(key, bytes) else key], entries)
            for key, entries in raw or []
        ]


def decode_entry(
    stream: str, epoch: str, entry_id: bytes, fields: dict[bytes, bytes]
) -> StreamEntry:
    """Turn a raw stream entry into a :class:`StreamEntry` with its client message encoded."""
    seq = int(entry_id.split(b"-")[0])
    org = fields[b"org"].decode() or None
    subject = fields[b"subject"].decode() or None
    event = Event(
        stream=stream,
        epoch=epoch,
        seq=seq,
        id=int(fields[b"id"]),
        kind=fields[b"kind"].decode(),
        at=float(fields[b"at"]),
        org_path=org,
        subject=subject,
        data=msgspec.json.decode(fields[b"data"]),
    )
    data = ENCODER.encode(event)
    return StreamEntry(
        seq=seq,
        epoch=epoch,
        id=event.id,
        kind=event.kind,
        org_path=org,
        subject=subject,
        message=data.decode(),
        frame=text_frame(data),
    )
