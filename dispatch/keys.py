"""Redis key layout of the position index and the one-character codes stored in it.

With prefix P and shard S (the H3 parent of the responder's cell at the shard resolution)::

    P:{S}:r:<responder_id>   HASH  the responder's live entry (position, cells, status, ...)
    P:{S}:c:<cell>:<cap>     HASH  responder_id -> packed (lat, lon, fix_ts, status, mode, caps)
                                   one per index cell and capability code; <cap> '*' = everyone
    P:{S}:seen               ZSET  responder_id scored by fix_ts, for the freshness sweep
    P:{S}:agg                HASH  "<cell>|<status>|<cap>" -> live count, cells at res 8 and 7
    P:p:{<responder_id>}     STRING "<shard> <ts>": the shard holding the responder (authority
                                   for cross-shard moves) and the device ts of that move
    P:shards                 SET   shards that ever held anyone, so sweep/counts find them
    P:epoch                  STRING set by the first mirror to sync (dispatch/feed.py)
    P:feed                   (Pub/Sub channel, not a key) every change, for the mirrors

Everything between braces is a Redis Cluster hash tag, so every script touches one slot.
"""

from __future__ import annotations

from functools import lru_cache

from dispatch.errors import IndexConfigError
from dispatch.models import Capability, DutyStatus, TravelMode

STATUS_CODE: dict[DutyStatus, str] = {status: str(i) for i, status in enumerate(DutyStatus)}
STATUS_OF: dict[str, DutyStatus] = {code: status for status, code in STATUS_CODE.items()}

CAPABILITY_CODE: dict[Capability, str] = {
    Capability.police: "p",
    Capability.community_doctor: "d",
    Capability.psychiatrist: "s",
    Capability.psychiatric_nurse: "n",
    Capability.social_worker: "w",
    Capability.grid_worker: "g",
    Capability.civil_affairs: "c",
    Capability.disability_federation: "f",
    Capability.guardian: "u",
    Capability.ambulance: "a",
}
CAPABILITY_OF: dict[str, Capability] = {code: cap for cap, code in CAPABILITY_CODE.items()}
ANY_CAPABILITY = "*"

MODE_CODE: dict[TravelMode, str] = {TravelMode.on_foot: "f", TravelMode.vehicle: "v"}
MODE_OF: dict[str, TravelMode] = {code: mode for mode, code in MODE_CODE.items()}


@lru_cache(maxsize=1024)
def encode_capabilities(capabilities: frozenset[Capability]) -> str:
    """Capabilities as a sorted string of codes (stable, so equal sets store equal bytes)."""
    return "".join(sorted(CAPABILITY_CODE[cap] for cap in capabilities))


@lru_cache(maxsize=1024)
def decode_capabilities(codes: str) -> frozenset[Capability]:
    """Inverse of `encode_capabilities`."""
    return frozenset(CAPABILITY_OF[code] for code in codes)


class KeySpace:
    """Builds the keys above for one prefix; the Lua scripts build the same names from `base`."""

    def __init__(self, prefix: str) -> None:
        if not prefix or any(ch in prefix for ch in "{}*?[] "):
            raise IndexConfigError(
                f"key prefix {prefix!r} must be non-empty, without braces, spaces or glob characters"
            )
        self.prefix = prefix
        self.shards = f"{prefix}:shards"
        self.feed = f"{prefix}:feed"
        """The change feed's Pub/Sub channel (common.lua `feed`; not a key)."""
        self.epoch = f"{prefix}:epoch"
        """Set by the first mirror to sync; gone or changed means the index was flushed."""

    def base(self, shard: str) -> str:
        """Start of every key of one shard; scripts append 'r:<id>', 'c:<cell>:<cap>', ..."""
        return f"{self.prefix}:{{{shard}}}:"

    def responder(self, shard: str, responder_id: str) -> str:
        """The responder's entry in `shard`."""
        return f"{self.prefix}:{{{shard}}}:r:{responder_id}"

    def cell(self, shard: str, cell: str, capability: Capability | None) -> str:
        """The cell hash of one capability (None: everyone) in `shard`."""
        code = ANY_CAPABILITY if capability is None else CAPABILITY_CODE[capability]
        return f"{self.prefix}:{{{shard}}}:c:{cell}:{code}"

    def seen(self, shard: str) -> str:
        """The freshness zset of `shard`."""
        return f"{self.prefix}:{{{shard}}}:seen"

    def aggregates(self, shard: str) -> str:
        """The live-count hash of `shard`."""
        return f"{self.prefix}:{{{shard}}}:agg"

    def pointer(self, responder_id: str) -> str:
        """The responder's shard pointer (its own slot)."""
        return f"{self.prefix}:p:{{{responder_id}}}"

    def pattern(self) -> str:
        """SCAN pattern matching every key of this prefix."""
        return f"{self.prefix}:*"
