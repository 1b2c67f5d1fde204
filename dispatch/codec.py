"""Values to and from the Lua scripts: upsert ARGV, search replies, stored entries.

Numbers travel to Lua and are stored as little-endian doubles (`POSITION`), never as text:
formatting and parsing them was a third of ingest's cost, and the doubles arrive bit for bit,
so the final distance computed here matches the stored position exactly.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from dispatch.errors import InvalidQueryError
from dispatch.geo import cell_of, parent_of
from dispatch.keys import (
    MODE_CODE,
    MODE_OF,
    STATUS_CODE,
    STATUS_OF,
    KeySpace,
    decode_capabilities,
    encode_capabilities,
)
from dispatch.matching import Entry
from dispatch.models import Capability, PositionReport, ResponderProfile, ResponderState
from dispatch.scripts import Call


def text(value: str | bytes) -> str:
    """A reply item as str, whether or not the client decodes responses."""
    # the caller's client may or may not have decode_responses=True; we accept both
    return value.decode() if isinstance(value, bytes) else value


@lru_cache(maxsize=65_536)
def _cell_context(
    keys: KeySpace, cell: str, index_res: int, shard_res: int
) -> tuple[str, str, str, str, str]:
    # responders report every few seconds from the same cell: look its parents up once
    shard = parent_of(cell, shard_res)
    coarse = parent_of(cell, index_res - 2)
    return shard, keys.base(shard), parent_of(cell, 8), parent_of(cell, 7), coarse


POSITION = struct.Struct("<ddddddd")
"""A report's numbers as upsert.lua reads them and the responder hash stores them ('pos'):
lat, lon, ts (device), fix_ts, accuracy, speed, heading; an absent speed or heading is NaN."""

_NAN = float("nan")


class UpsertArgs:
    """A report turned into one upsert.lua call (computed once, reused by every phase).

    The call's ARGV line is the report's numbers packed (`POSITION`), then its words, space
    separated (upsert.lua documents the order). One argument per report: redis-py's
    per-argument packing was most of the client cost of ingest.
    """

    __slots__ = ("key", "position", "responder_id", "shard", "ts", "ts_value", "words")

    def __init__(
        self,
        report: PositionReport,
        profile: ResponderProfile,
        now: float,
        *,
        keys: KeySpace,
        index_res: int,
        shard_res: int,
    ) -> None:
        if report.responder_id != profile.responder_id:
            raise InvalidQueryError(
                f"report of {report.responder_id} came with the profile of {profile.responder_id}"
            )
        cell = cell_of(report.lat, report.lon, index_res)
        self.shard, base, c8, c7, coarse = _cell_context(keys, cell, index_res, shard_res)
        self.ts_value = report.ts
        self.ts = repr(report.ts)
        self.responder_id = rid = report.responder_id
        self.key = f"{base}r:{rid}"
        self.position = POSITION.pack(
            report.lat,
            report.lon,
            report.ts,
            min(report.ts, now),
            report.accuracy_m,
            _NAN if report.speed_mps is None else report.speed_mps,
            _NAN if report.heading_deg is None else report.heading_deg,
        )
        caps = encode_capabilities(profile.capabilities) or "-"
        self.words = (
            f" {base} {rid} {cell} {c8} {c7} {coarse} "
            f"{STATUS_CODE[profile.status]} {MODE_CODE[profile.mode]} {caps}"
        ).encode()

    def line(self, *, may_create: bool) -> bytes:
        """This report's ARGV line for upsert.lua; `may_create` lets it insert a new entry."""
        return self.position + (b"1" if may_create else b"0") + self.words


UPSERT_CHUNK = 200
"""Reports per upsert.lua call: long enough to amortise the call, short enough not to stall Redis."""


def upsert_calls(
    items: Sequence[UpsertArgs], *, may_create: bool
) -> tuple[list[Call], list[list[int]]]:
    """upsert.lua calls for `items`, grouped by shard (one slot per call), order kept per shard.

    Returns the calls and, per call, the positions in `items` its replies belong to.
    """
    by_shard: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        by_shard.setdefault(item.shard, []).append(i)
    calls, owners = [], []
    for positions in by_shard.values():
        for start in range(0, len(positions), UPSERT_CHUNK):
            chunk = positions[start : start + UPSERT_CHUNK]
            keys = [items[i].key for i in chunk]
            lines = [items[i].line(may_create=may_create) for i in chunk]
            calls.append(Call("upsert", keys, lines))
            owners.append(chunk)
    return calls, owners


def scatter(owners: list[list[int]], replies: list[Any], size: int) -> list[int]:
    """Per-item reply codes from per-call reply lists."""
    codes = [0] * size
    for chunk, reply in zip(owners, replies, strict=True):
        for i, code in zip(chunk, reply, strict=True):
            codes[i] = int(code)
    return codes


_POSITION = struct.Struct("<ddd").unpack_from
_STATUS_BY_BYTE = {ord(code): status for code, status in STATUS_OF.items()}
_MODE_BY_BYTE = {ord(code): mode for code, mode in MODE_OF.items()}


@lru_cache(maxsize=1024)
def _capabilities(codes: bytes) -> frozenset[Capability]:
    return decode_capabilities(codes.decode())


def parse_search_values(values: Sequence[bytes]) -> list[Entry]:
    """Parse search.lua's reply: the packed cell-hash values, read with NEVER_DECODE.

    Layout (common.lua `pack`): lat, lon, fix_ts as little-endian doubles, status, mode, the
    number of capability codes, the codes, the responder id. The doubles arrive bit for bit,
    so the final distance computed here matches the stored position exactly.
    """
    entries = []
    for v in values:
        lat, lon, fix = _POSITION(v)
        end = 27 + v[26]
        entries.append(
            Entry(
                v[end:].decode(),
                lat,
                lon,
                fix,
                _STATUS_BY_BYTE[v[24]],
                _MODE_BY_BYTE[v[25]],
                _capabilities(v[27:end]),
            )
        )
    return entries


def parse_state(
    responder_id: str, raw: Mapping[bytes, bytes], now: float, freshness_s: float
) -> ResponderState | None:
    """A stored responder hash (read with NEVER_DECODE) as ResponderState; None when absent or
    older than freshness."""
    if not raw or b"pos" not in raw:
        return None
    lat, lon, ts, fix, accuracy, speed, heading = POSITION.unpack(raw[b"pos"])
    if fix < now - freshness_s:
        return None
    return ResponderState(
        responder_id=responder_id,
        lat=lat,
        lon=lon,
        cell=raw[b"cell"].decode(),
        accuracy_m=accuracy,
        speed_mps=None if math.isnan(speed) else speed,
        heading_deg=None if math.isnan(heading) else heading,
        ts=ts,
        fix_ts=fix,
        age_s=max(0.0, now - fix),
        status=STATUS_OF[raw[b"st"].decode()],
        capabilities=decode_capabilities(raw[b"caps"].decode()),
        mode=MODE_OF[raw[b"mode"].decode()],
    )
