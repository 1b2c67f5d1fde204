"""``GET /api/realtime/stats``: what this node's hub, relay and position mirror are doing."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get
from litestar.datastructures import State

from backend.gc_policy import GcPolicy, GcStats
from backend.positions.service import PositionService
from backend.realtime.hub import Hub
from backend.realtime.relay import Relay
from backend.security.guards import needs
from backend.security.policy import Permission


class MirrorStats(msgspec.Struct, frozen=True, kw_only=True):
    """This node's in-process mirror of the position index (dispatch/feed.py)."""

    in_step: bool
    """True: searches read the mirror; false: they read Redis until it resyncs."""
    responders: int
    syncs: int
    """Syncs since start: more than one means it was out of step at least once."""


class RealtimeStats(msgspec.Struct, frozen=True, kw_only=True):
    """Figures of this node (each node answers for itself)."""

    clients: int
    subscriptions: int
    delivered_entries: int
    dropped_slow: int
    relay_leader: bool
    relay_published: int
    messages_direct: int = 0  # written straight into an idle socket
    messages_queued: int = 0  # went through a busy socket's queue
    gc: GcStats | None = None
    """The process's garbage collector, when `pingan serve` runs its policy (gc_policy.py)."""
    position_mirror: MirrorStats | None = None
    """None when this node searches Redis for every query (PINGAN_POSITION_MIRROR=false)."""


@get(
    "/api/realtime/stats",
    opt=needs(Permission.SYSTEM_READ),
    tags=["realtime"],
    summary="This node's hub figures",
)
async def realtime_stats(state: State) -> RealtimeStats:
    """Counts since this process started."""
    hub: Hub = state.hub
    relay: Relay = state.relay
    policy: GcPolicy | None = state.get("gc_policy")
    positions: PositionService = state.positions
    feed = positions.index.feed
    mirror = None if feed is None else feed.mirror
    subs: Any = sum(len(c.subs) for c in hub.clients)
    return RealtimeStats(
        clients=len(hub.clients),
        subscriptions=subs,
        delivered_entries=hub.delivered,
        dropped_slow=hub.dropped_slow,
        relay_leader=relay.is_leader,
        relay_published=relay.published,
        messages_direct=hub.written_direct,
        messages_queued=hub.queued,
        gc=None if policy is None else policy.stats(),
        position_mirror=None
        if feed is None
        else MirrorStats(
            in_step=mirror is not None,
            responders=0 if mirror is None else len(mirror),
            syncs=feed.syncs,
        ),
    )
