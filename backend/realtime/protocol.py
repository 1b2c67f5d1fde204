"""The WebSocket protocol: every message is a tagged union member, decoded once at the edge.

Schema evolution: phones run old app versions. New fields always get defaults; unknown fields
are ignored (msgspec's default); a message ``type`` a peer does not know is answered with an
``error`` of code ``unknown_type`` and never closes the socket. The version is in the subprotocol
(``pingan.v1``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from backend.validation import UUID_TEXT

SUBPROTOCOL = "pingan.v1"
TOKEN_PREFIX = "bearer."

Topic = Annotated[str, Meta(pattern=r"^[a-z]+(:[A-Za-z0-9_.-]{1,64})?$", max_length=80)]
Seq = Annotated[int, Meta(ge=0)]


# --- client → server ---------------------------------------------------------------------


class Hello(msgspec.Struct, tag="hello", kw_only=True):
    """Authenticate with an access token (when not given in the subprotocol header)."""

    token: Annotated[str, Meta(max_length=4096)]


class Refresh(msgspec.Struct, tag="refresh", kw_only=True):
    """A fresh access token for the same user: keeps the socket open past the old expiry."""

    token: Annotated[str, Meta(max_length=4096)]


class Cursor(msgspec.Struct, frozen=True, kw_only=True):
    """Where a client stopped reading a stream: the stream's epoch and the last sequence seen."""

    epoch: Annotated[str, Meta(max_length=40)]
    seq: Seq


class Subscribe(msgspec.Struct, tag="subscribe", kw_only=True):
    """Start receiving a topic; ``since`` resumes after a disconnect."""

    topic: Topic
    since: Cursor | None = None


class Unsubscribe(msgspec.Struct, tag="unsubscribe", kw_only=True):
    """Stop receiving a topic."""

    topic: Topic


class Ping(msgspec.Struct, tag="ping", kw_only=True):
    """Application-level liveness probe (browsers cannot send protocol pings)."""

    nonce: Annotated[str, Meta(max_length=64)] = ""


class PositionUpdate(msgspec.Struct, tag="position", kw_only=True):
    """A responder's own position (validated again by the position service)."""

    lat: Annotated[float, Meta(ge=-90, le=90)]
    lon: Annotated[float, Meta(ge=-180, le=180)]
    ts: Annotated[float, Meta(ge=1e9, le=1e10)]
    accuracy_m: Annotated[float, Meta(ge=0, le=5000)] = 0.0
    speed_mps: Annotated[float, Meta(ge=0, le=100)] = 0.0
    heading_deg: Annotated[float, Meta(ge=0, le=360)] | None = None


class AssignmentCommand(msgspec.Struct, tag="assignment", kw_only=True):
    """A responder's answer or status for one of its assignments, sent over the socket.

    ``client_msg_id`` lets a phone that queued commands offline resend them safely: the server
    applies each message once (it is kept in the incident's log) and answers ``ack`` for
    repeats too. ``note`` carries its words in ``text``.
    """

    assignment_id: Annotated[str, Meta(pattern=UUID_TEXT)]
    action: Literal["accept", "decline", "en_route", "on_scene", "clear", "need_backup", "tick", "note"]  # fmt: skip
    reason: Annotated[str, Meta(max_length=500)] | None = None
    item: Annotated[str, Meta(max_length=130, pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")] | None = None
    client_msg_id: Annotated[str, Meta(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] | None = None
    text: Annotated[str, Meta(max_length=500)] | None = None


ClientMessage = (
    Hello | Refresh | Subscribe | Unsubscribe | Ping | PositionUpdate | AssignmentCommand
)


# --- server → client ---------------------------------------------------------------------


class Welcome(msgspec.Struct, tag="welcome", kw_only=True):
    """Authentication accepted."""

    user_id: str
    username: str
    expires_at: float
    server_time: float
    limits: dict[str, int]


class Subscribed(msgspec.Struct, tag="subscribed", kw_only=True):
    """A subscription is live; ``replayed`` events followed ``since``, or a snapshot was sent."""

    topic: str
    stream: str
    epoch: str
    seq: Seq
    replayed: int = 0


class Snapshot(msgspec.Struct, tag="snapshot", kw_only=True):
    """The full current state of a topic, valid as of ``seq`` of ``stream``.

    ``reset`` is true when the client asked to resume from a point the stream no longer holds
    (or from another epoch): it must drop what it has and start from this snapshot.
    """

    topic: str
    stream: str
    epoch: str
    seq: Seq
    reset: bool
    data: dict[str, Any]


class Event(msgspec.Struct, tag="event", kw_only=True):
    """One committed event. ``id`` is unique for ever (de-duplicate by it); ``seq`` orders a stream."""

    stream: str
    epoch: str
    seq: Seq
    id: int
    kind: str
    at: float
    org_path: str | None
    subject: str | None
    data: dict[str, Any]


class PositionItem(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    """One responder's latest position, compact: [id, lat, lon, status, ts, capabilities]."""

    responder_id: str
    lat: float
    lon: float
    status: str
    ts: float
    capabilities: list[str]


class Positions(msgspec.Struct, tag="positions", kw_only=True):
    """The latest positions changed since the previous batch (at most one batch per interval)."""

    topic: str
    seq: Seq
    items: list[PositionItem]
    removed: list[str] = msgspec.field(default_factory=list)


class Pong(msgspec.Struct, tag="pong", kw_only=True):
    """Answer to a ping."""

    nonce: str
    server_time: float


class Ack(msgspec.Struct, tag="ack", kw_only=True):
    """A command was applied (or had been already)."""

    client_msg_id: str | None
    assignment_id: str
    action: str


class Error(msgspec.Struct, tag="error", kw_only=True):
    """A message was refused; the socket stays open unless a close follows."""

    code: str
    message: str
    topic: str | None = None
    client_msg_id: str | None = None
    """Set when the refused message was an assignment command that carried one."""
    field: str | None = None
    """The field of the refused message at fault (a dotted path, as in HTTP errors), if one was."""


ServerMessage = Welcome | Subscribed | Snapshot | Event | Positions | Pong | Ack | Error

CLIENT_DECODER = msgspec.json.Decoder(ClientMessage)
ENCODER = msgspec.json.Encoder()


class CloseCode:
    """Close codes the server uses; 4xxx are ours (the client reconnects unless told otherwise)."""

    NORMAL = 1000
    POLICY = 1008  # flooding, or a protocol violation
    TOO_BIG = 1009
    AUTH_FAILED = 4001  # no, bad or expired token: log in or refresh, then reconnect
    FORBIDDEN = 4003
    TOO_SLOW = 4008  # the client did not keep up: reconnect and resume with the last seq
    TOO_MANY = 4029  # too many connections for this user
    GOING_AWAY = 1001
