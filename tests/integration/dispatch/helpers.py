"""Assertions that read like the index's invariants, checked against what Redis really holds."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

import h3

from dispatch.index import PositionIndex
from dispatch.keys import CAPABILITY_CODE, STATUS_CODE
from dispatch.models import Capability, DutyStatus

NOW = 1_800_000_000.0


def text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def cell_members(index: PositionIndex) -> dict[tuple[str, str], set[str]]:
    """(cell, capability code) -> responder ids, over every shard of the index."""
    members: dict[tuple[str, str], set[str]] = {}
    async for raw in index.redis.scan_iter(match=f"{index.keys.prefix}:*:c:*", count=1000):
        key = text(raw)
        cell, cap = key.rsplit(":", 2)[1:]
        ids = {text(i) for i in await index.redis.hkeys(key)}
        assert ids, f"empty cell hash {key} left behind"
        members[(cell, cap)] = ids
    return members


async def assert_exactly_one_cell(
    index: PositionIndex, live: Mapping[str, tuple[float, float, frozenset[Capability]]]
) -> None:
    """Every live responder sits in exactly one index cell — the cell of its newest fix — under
    '*' and each of its capabilities, and nowhere else; occupancy sets list exactly the non-empty
    cells."""
    members = await cell_members(index)
    where: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (cell, cap), ids in members.items():
        for rid in ids:
            where[rid].append((cell, cap))
    assert set(where) == set(live), f"indexed {sorted(where)} but live {sorted(live)}"
    for rid, (lat, lon, caps) in live.items():
        cell = h3.latlng_to_cell(lat, lon, index.index_res)
        want = {(cell, "*")} | {(cell, CAPABILITY_CODE[c]) for c in caps}
        assert sorted(where[rid]) == sorted(want), f"{rid} is in {where[rid]}, expected {want}"
    occupied: dict[tuple[str, str], set[str]] = defaultdict(set)
    for cell, cap in members:
        occupied[(h3.cell_to_parent(cell, index.index_res - 2), cap)].add(cell)
    stored: dict[tuple[str, str], set[str]] = {}
    async for raw in index.redis.scan_iter(match=f"{index.keys.prefix}:*:o:*", count=1000):
        coarse, cap = text(raw).rsplit(":", 2)[1:]
        stored[(coarse, cap)] = {text(c) for c in await index.redis.smembers(text(raw))}
    assert stored == dict(occupied), "occupancy sets disagree with the cell hashes"


def expected_counts(
    live: Mapping[str, tuple[float, float, frozenset[Capability], DutyStatus]], index_res: int = 8
) -> Counter[tuple[str, DutyStatus, Capability | None]]:
    """What the wall counters must say for a set of live responders."""
    counts: Counter[tuple[str, DutyStatus, Capability | None]] = Counter()
    for lat, lon, caps, status in live.values():
        cell = h3.latlng_to_cell(lat, lon, index_res)
        for res in (8, 7):
            parent = h3.cell_to_parent(cell, res)
            counts[(parent, status, None)] += 1
            for cap in caps:
                counts[(parent, status, cap)] += 1
    return counts


async def assert_counts(
    index: PositionIndex, live: Mapping[str, tuple[float, float, frozenset[Capability], DutyStatus]]
) -> None:
    """The wall counters equal a recount of the live responders."""
    rows = await index.cell_counts(NOW)
    got = Counter({(r.cell, r.status, r.capability): r.count for r in rows})
    assert got == expected_counts(live, index.index_res)
    assert all(STATUS_CODE[r.status] for r in rows)
