"""The live responder position index on Redis: H3 cell hashes per capability, kept by Lua.

Contract (DESIGN.md invariants):

* each live responder is in exactly one cell of the index resolution, per shard; a move between
  cells of one shard is one Lua script, so no reader ever sees it in two cells or in none;
* a report whose device ts is not newer than the stored one changes nothing (`ignored`);
* a responder whose fix is older than `freshness_s` is never a candidate and `get` says None;
  `sweep(now)` removes such entries (run it every few seconds);
* all keys carry a hash tag, so the index runs on Redis Cluster unchanged. A responder crossing
  shards is evicted from the old shard and then inserted in the new one (two slots, two
  scripts), so it is invisible to searches for one round trip; the pointer key orders such
  moves and the search keeps only the newest fix if two concurrent writers ever leave a
  duplicate. Redis losing its data is normal: the next reports refill the index.
  A search is one script call over every shard it touches on a single Redis, and one call
  per shard (one slot each) on Redis Cluster (`cross_shard`).

Time is always passed in as `now` (epoch seconds); nothing here reads a clock.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from functools import lru_cache

from h3.api import basic_int as h3i
from redis.asyncio import Redis, RedisCluster
from redis.client import NEVER_DECODE

from dispatch.codec import (
    UpsertArgs,
    parse_search_values,
    parse_state,
    scatter,
    text,
    upsert_calls,
)
from dispatch.errors import IndexConfigError
from dispatch.feed import MirrorFeed
from dispatch.geo import cell_of, ring_gap_m, ring_lower_bound_m
from dispatch.keys import (
    ANY_CAPABILITY,
    CAPABILITY_CODE,
    MODE_CODE,
    STATUS_CODE,
    KeySpace,
    encode_capabilities,
)
from dispatch.matching import Entry, Query, check_query, make_candidates, select_nearest
from dispatch.mirror import walk_plan
from dispatch.models import (
    Candidate,
    Capability,
    CellCount,
    DutyStatus,
    PositionReport,
    ResponderProfile,
    ResponderState,
    SpeedModel,
    UpsertOutcome,
)
from dispatch.plan import SearchPlan, search_plan, warm_plans
from dispatch.scripts import Call, Scripts, redis_errors, unlink_matching
from dispatch.wall import parse_counts
from dispatch.wire import Wire

SEARCH_SLACK_M = 1e-3
"""Lua returns everyone within the k-th distance plus this; Python makes the exact cut."""

_OUTCOME = {0: UpsertOutcome.ignored, 1: UpsertOutcome.updated, 2: UpsertOutcome.created}
_SWEEP_BATCH = 500
_KEYS_CACHE_SIZE = 4_096


_HEAD = struct.Struct("<7d")


@lru_cache(maxsize=1024)
def _wanted(code: str, statuses: frozenset[DutyStatus]) -> bytes:
    """The tail of search.lua's head: the capability code, then the wanted status codes."""
    return (code + "".join(sorted(STATUS_CODE[s] for s in statuses))).encode()


def search_head(query: Query, reach: float) -> bytes:
    """search.lua's ARGV[1]: the query as 7 little-endian doubles (lat, lon, k, radius, reach,
    freshness cutoff, slack), then `_wanted`. Binary, so Lua reads it with one unpack and the
    doubles arrive bit for bit."""
    code = ANY_CAPABILITY if query.capability is None else CAPABILITY_CODE[query.capability]
    cutoff = query.now - query.freshness_s
    numbers = _HEAD.pack(
        query.lat, query.lon, query.k, query.max_radius_m, reach, cutoff, SEARCH_SLACK_M
    )
    return numbers + _wanted(code, query.statuses)


class PositionIndex:
    """Live positions of responders in Redis, searchable by capability and distance."""

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "pingan:pos",
        freshness_s: float = 60.0,
        index_res: int = 8,
        shard_res: int = 4,
        speed: SpeedModel | None = None,
        first_reach_m: float = 1500.0,
        cross_shard: bool | None = None,
        use_wire: bool = True,
        mirror: bool = False,
    ) -> None:
        if index_res not in (8, 9, 10):
            raise IndexConfigError(f"index_res must be 8, 9 or 10, got {index_res}")
        if not 0 <= shard_res <= index_res - 2:
            # a coarse cell (index_res - 2) must never straddle two shards
            raise IndexConfigError(f"shard_res must be 0..{index_res - 2}, got {shard_res}")
        if freshness_s <= 0 or first_reach_m <= 0:
            raise IndexConfigError("freshness_s and first_reach_m must be positive")
        self.redis = redis
        self.keys = KeySpace(prefix)
        self.freshness_s = freshness_s
        self.index_res = index_res
        self.shard_res = shard_res
        self.speed = speed or SpeedModel()
        self.first_reach_m = first_reach_m
        self.scripts = Scripts()
        # one search call may read several shards' keys, except on Redis Cluster (one slot)
        self.cross_shard = (
            not isinstance(redis, RedisCluster) if cross_shard is None else cross_shard
        )
        self._keys_of: dict[tuple[str, ...], list[bytes]] = {}
        # a single Redis: searches go over their own pipelined connection (dispatch/wire.py)
        self.wire = Wire.for_client(redis) if self.cross_shard and use_wire else None
        # the in-process mirror (dispatch/mirror.py): a single Redis that a wire can reach
        address = self.wire or (Wire.for_client(redis) if self.cross_shard else None)
        self.feed = (
            MirrorFeed(
                redis,
                address,
                self.keys,
                self.scripts,
                index_res=index_res,
                shard_res=shard_res,
            )
            if mirror and address is not None
            else None
        )

    def start(self) -> None:
        """Start keeping the in-process mirror in step, if this index has one (call it under
        the event loop that will search; searches read Redis until the mirror is in step)."""
        if self.feed is not None:
            self.feed.start()

    # -- writes ---------------------------------------------------------------------------

    async def upsert(
        self, report: PositionReport, profile: ResponderProfile, now: float
    ) -> UpsertOutcome:
        """Store one report; `profile` is used only if the index holds no entry for it."""
        return (await self.upsert_many([(report, profile)], now))[0]

    async def upsert_many(
        self, items: Sequence[tuple[PositionReport, ResponderProfile]], now: float
    ) -> list[UpsertOutcome]:
        """Store a batch of reports in one pipeline; one outcome per report, in order.

        Reports of responders already live in the same shard take one round trip. The rest
        (new, expired, after Redis lost its data, or crossing shards) take three more:
        claim the pointer, evict from the old shard, insert. Of several such reports of one
        responder in one batch only the newest is applied; the others come back `ignored`.
        """
        prepared = [
            UpsertArgs(
                report,
                profile,
                now,
                keys=self.keys,
                index_res=self.index_res,
                shard_res=self.shard_res,
            )
            for report, profile in items
        ]
        calls, owners = upsert_calls(prepared, may_create=False)
        codes = scatter(owners, await self.scripts.run_many(self.redis, calls), len(prepared))
        outcomes: list[UpsertOutcome | None] = [_OUTCOME.get(code) for code in codes]
        # several homeless reports of one responder in a batch: only the newest can matter (the
        # phases below run batch-wide, so applying older ones could leave a duplicate behind);
        # the superseded ones are reported ignored
        newest: dict[str, int] = {}
        for i, outcome in enumerate(outcomes):
            rid = prepared[i].responder_id
            if outcome is None and (
                rid not in newest or prepared[i].ts_value > prepared[newest[rid]].ts_value
            ):
                newest[rid] = i
        homeless = sorted(newest.values())
        if homeless:
            relocated = await self._relocate([prepared[i] for i in homeless])
            for i, outcome in zip(homeless, relocated, strict=True):
                outcomes[i] = outcome
        return [UpsertOutcome.ignored if o is None else o for o in outcomes]

    async def _relocate(self, prepared: list[UpsertArgs]) -> list[UpsertOutcome]:
        """Reports that found no entry in their shard: the pointer decides (see module doc).

        Claim the pointer (refused if it already names a fix as new), evict from the shard it
        named (refused if that shard holds a newer fix: undo the claim), insert here.
        """
        claims = await self.scripts.run_many(
            self.redis,
            [Call("claim", [self.keys.pointer(p.responder_id)], [p.shard, p.ts]) for p in prepared],
        )
        claimed = [int(reply[0]) == 1 for reply in claims]
        previous = [text(reply[1]) for reply in claims]
        existed = [False] * len(prepared)
        evictions = [
            i
            for i, p in enumerate(prepared)
            if claimed[i] and previous[i] and previous[i].split(" ")[0] != p.shard
        ]
        if evictions:
            calls = [self._evict_call(prepared[i], previous[i]) for i in evictions]
            for i, reply in zip(
                evictions, await self.scripts.run_many(self.redis, calls), strict=True
            ):
                claimed[i] = int(reply[0]) == 1
                existed[i] = claimed[i] and int(reply[1]) == 1
        inserts = [i for i in range(len(prepared)) if claimed[i]]
        undo = [
            Call("unclaim", [self.keys.pointer(p.responder_id)], [f"{p.shard} {p.ts}", previous[i]])
            for i, p in enumerate(prepared)
            if int(claims[i][0]) == 1 and not claimed[i]
        ]
        calls, owners = upsert_calls([prepared[i] for i in inserts], may_create=True)
        replies = await self.scripts.run_many(self.redis, calls + undo) if calls or undo else []
        codes = scatter(owners, replies[: len(calls)], len(inserts))
        outcomes = [UpsertOutcome.ignored] * len(prepared)
        for i, code in zip(inserts, codes, strict=True):
            outcome = _OUTCOME[code]
            # a responder that crossed shards was updated, not created, from the caller's view
            outcomes[i] = (
                UpsertOutcome.updated
                if existed[i] and outcome is UpsertOutcome.created
                else outcome
            )
        if inserts:
            async with redis_errors("registering shards"):
                await self.redis.sadd(self.keys.shards, *{prepared[i].shard for i in inserts})
        return outcomes

    def _evict_call(self, p: UpsertArgs, previous: str) -> Call:
        shard = previous.split(" ")[0]
        return Call(
            "evict",
            [
                self.keys.responder(shard, p.responder_id),
                self.keys.seen(shard),
                self.keys.aggregates(shard),
            ],
            [self.keys.base(shard), p.responder_id, p.ts],
        )

    async def set_status(self, responder_id: str, status: DutyStatus) -> bool:
        """Change a live responder's duty status; False when the index has no entry for it."""
        return await self._restate(responder_id, [STATUS_CODE[status], "", "0", ""])

    async def set_profile(self, profile: ResponderProfile) -> bool:
        """Replace status, travel mode and capabilities of a live responder; False if absent."""
        caps = encode_capabilities(profile.capabilities)
        return await self._restate(
            profile.responder_id, [STATUS_CODE[profile.status], MODE_CODE[profile.mode], "1", caps]
        )

    async def _restate(self, responder_id: str, change: list[str]) -> bool:
        # a concurrent cross-shard move can make the pointer's shard wrong once: ask again
        for _ in range(3):
            shard = await self._shard_of(responder_id)
            if shard is None:
                return False
            keys = self._entry_keys(shard, responder_id)
            args = [self.keys.base(shard), responder_id, *change]
            if int(await self.scripts.run(self.redis, Call("restate", keys, args))) == 1:
                return True
            if await self._shard_of(responder_id) == shard:
                return False
        return False

    async def remove(self, responder_id: str) -> bool:
        """Take a responder out of the index (logout, end of shift); True if it was there."""
        shard = await self._shard_of(responder_id)
        if shard is None:
            return False
        call = Call(
            "evict",
            self._entry_keys(shard, responder_id),
            [self.keys.base(shard), responder_id, "inf"],
        )
        await self.scripts.run(self.redis, call)
        async with redis_errors(f"removing pointer of {responder_id}"):
            await self.redis.delete(self.keys.pointer(responder_id))
        return True

    async def sweep(self, now: float) -> int:
        """Remove every entry whose fix is older than the freshness limit; returns how many."""
        cutoff = repr(now - self.freshness_s)
        shards = await self._shards()
        removed = 0
        while shards:
            calls = [
                Call(
                    "sweep",
                    [self.keys.seen(s), self.keys.aggregates(s)],
                    [self.keys.base(s), cutoff, _SWEEP_BATCH],
                )
                for s in shards
            ]
            replies = await self.scripts.run_many(self.redis, calls)
            removed += sum(int(r[1]) for r in replies)
            shards = [s for s, r in zip(shards, replies, strict=True) if int(r[0]) == _SWEEP_BATCH]
        return removed

    # -- reads ----------------------------------------------------------------------------

    async def get(self, responder_id: str, now: float) -> ResponderState | None:
        """The responder's live entry, or None when unknown or older than the freshness limit."""
        shard = await self._shard_of(responder_id)
        if shard is None:
            return None
        async with redis_errors(f"reading {responder_id}"):
            # 'pos' is packed doubles: never decoded, whatever the caller's client does
            raw = await self.redis.execute_command(  # type: ignore[no-untyped-call]
                "HGETALL", self.keys.responder(shard, responder_id), **{NEVER_DECODE: True}
            )
        return parse_state(responder_id, raw, now, self.freshness_s)

    async def nearest(
        self,
        lat: float,
        lon: float,
        *,
        capability: Capability | None,
        k: int,
        max_radius_m: float,
        now: float,
        statuses: frozenset[DutyStatus] = frozenset({DutyStatus.available}),
    ) -> list[Candidate]:
        """Exactly the k nearest fresh responders (great-circle) within the radius.

        Sorted by distance, ties by responder id; only `statuses` and, when given, holders of
        `capability`. One round trip on a single Redis (one search.lua call, whatever the
        shards); on Redis Cluster one pipeline, plus one more for a sparse capability.
        """
        query = Query(lat, lon, capability, k, max_radius_m, statuses, now, self.freshness_s)
        check_query(query)
        mirror = None if self.feed is None else self.feed.mirror
        if mirror is not None:
            # in step with Redis (dispatch/feed.py): the same walk, no round trip
            cell = h3i.latlng_to_cell(lat, lon, self.index_res)
            best = mirror.nearest(query, cell, self.first_reach_m)
            return make_candidates(best, capability=capability, now=now, speed=self.speed)
        origin = cell_of(lat, lon, self.index_res)
        plan = search_plan(
            origin, max_radius_m, self.first_reach_m, self.shard_res, self.cross_shard
        )
        if self.cross_shard:
            best = select_nearest(await self._search_merged(plan, query), query)
        else:
            best = await self._search_per_shard(plan, query, origin)
        return make_candidates(best, capability=capability, now=now, speed=self.speed)

    async def _search_merged(self, plan: SearchPlan, query: Query) -> list[Entry]:
        """Both phases and every shard in one search.lua call (a single Redis, not Cluster)."""
        call = Call(
            "search",
            self._seen_keys(plan.shards),
            [search_head(query, query.max_radius_m), plan.fine, plan.coarse],
        )
        if self.wire is None:
            reply = await self.scripts.run(self.redis, call, raw=True)
        else:
            reply = await self.scripts.run_on_wire(self.wire, self.redis, call)
        return parse_search_values(reply)

    async def _search_per_shard(
        self, plan: SearchPlan, query: Query, origin: str
    ) -> list[tuple[float, Entry]]:
        """Redis Cluster: one call per shard (one slot each), the coarse part only if needed.

        Each shard's call knows only its own k-th distance, so the fine phase is proved here,
        with the k-th of all shards; the coarse phase then runs with that as its reach.
        """
        fine = [p for p in plan.per_shard if p.fine]
        found = await self._search_parts(
            [(p.shard, p.fine, b"") for p in fine], query, query.max_radius_m
        )
        best = select_nearest(found, query)
        reach = best[-1][0] if len(best) == query.k else query.max_radius_m
        coarse = [p for p in plan.per_shard if p.coarse]
        if coarse and ring_lower_bound_m(plan.fine_last + 1, ring_gap_m(origin)) <= reach:
            # re-reading phase 1's cells is cheaper than a third round trip
            found += await self._search_parts(
                [(p.shard, b"", p.coarse) for p in coarse], query, reach
            )
            best = select_nearest(found, query)
        return best

    async def _search_parts(
        self, parts: Sequence[tuple[str, bytes, bytes]], query: Query, reach: float
    ) -> list[Entry]:
        head = search_head(query, reach)
        calls = []
        for shard, fine, coarse in parts:
            calls.append(Call("search", self._seen_keys((shard,)), [head, fine, coarse]))
        found: list[Entry] = []
        for reply in await self.scripts.run_many(self.redis, calls, raw=True):
            found += parse_search_values(reply)
        return found

    def _seen_keys(self, shards: tuple[str, ...]) -> list[bytes]:
        """The `seen` key of each shard, as bytes (declares the slot; search.lua derives the
        shard's key base from it)."""
        keys = self._keys_of.get(shards)
        if keys is None:
            keys = [self.keys.seen(s).encode() for s in shards]
            if len(self._keys_of) >= _KEYS_CACHE_SIZE:
                self._keys_of.clear()
            self._keys_of[shards] = keys
        return keys

    def warm_plans(self, cells: Iterable[str], radii_m: Iterable[float] = (5000.0,)) -> int:
        """Plan searches from every given origin cell now (a node's district, at start).

        Planning a cell costs ~0.1 ms the first time; afterwards it is a dictionary look-up.
        Pass `district_cells(...)` of the node's district at `index_res`; returns plans made.
        """
        cells, radii = list(cells), list(radii_m)
        if self.feed is not None:
            for cell in cells:
                for radius in radii:
                    walk_plan(h3i.str_to_int(cell), radius, self.first_reach_m)
        return warm_plans(cells, radii, self.first_reach_m, self.shard_res, self.cross_shard)

    async def cell_counts(self, now: float) -> list[CellCount]:
        """Live responders per H3 cell (res 8 and 7) by status and capability, for the wall.

        Sweeps first, so stale responders are never counted. Cost: one HGETALL per shard.
        """
        await self.sweep(now)
        shards = await self._shards()
        async with redis_errors("reading live counts"):
            pipe = self.redis.pipeline(transaction=False)
            for shard in shards:
                pipe.hgetall(self.keys.aggregates(shard))
            replies = await pipe.execute()
        return parse_counts({text(k): int(v) for reply in replies for k, v in reply.items()})

    async def aclose(self) -> None:
        """Close the search's own connection and the mirror's feed (the redis-py client is
        the caller's to close)."""
        if self.feed is not None:
            await self.feed.aclose()
        if self.wire is not None:
            await self.wire.aclose()

    async def clear(self) -> int:
        """Delete every key of this index's prefix (tests, benchmarks); returns how many."""
        async with redis_errors("clearing the index"):
            removed = await unlink_matching(self.redis, self.keys.pattern())
            # every node's mirror drops what it held and syncs again
            await self.redis.publish(self.keys.feed, b"R")
            return removed

    # -- helpers --------------------------------------------------------------------------

    def _entry_keys(self, shard: str, responder_id: str) -> list[str]:
        return [
            self.keys.responder(shard, responder_id),
            self.keys.seen(shard),
            self.keys.aggregates(shard),
        ]

    async def _shard_of(self, responder_id: str) -> str | None:
        async with redis_errors(f"reading pointer of {responder_id}"):
            pointer = await self.redis.get(self.keys.pointer(responder_id))
        return None if pointer is None else text(pointer).split(" ")[0]

    async def _shards(self) -> list[str]:
        async with redis_errors("listing shards"):
            members = await self.redis.smembers(self.keys.shards)
        return sorted(text(m) for m in members)
