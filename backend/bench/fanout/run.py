"""Running the whole bench: the peer, then our backend, then the rows; and its command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time
from typing import Any

import asyncpg
import httpx
import msgspec
from redis.asyncio import Redis

from backend.bench.fanout.clients import Fleet
from backend.bench.fanout.measure import Runner, System, measure
from backend.bench.fanout.ours import Accounts, Ours, backend_process, scratch_database
from backend.bench.fanout.peer import Peer
from backend.bench.fanout.plan import FULL, PAYLOAD_BYTES, QUICK, FanoutBenchError, Plan
from backend.bench.fanout.rows import Measured, NodeCounts, fanout_curve, size_rows
from backend.bench.table import BenchRow, BenchSeries, format_rows
from backend.realtime.streams import EventStreams
from backend.storage.postgres.pool import init_connection

SETTLE_TIMEOUT_S = 180.0
"""Longest wait for the backend's GC to settle after a ramp: its 60 s gap, twice, and margin."""


async def _login(http: httpx.AsyncClient, username: str, password: str) -> str:
    r = await http.post("/api/auth/login", json={"username": username, "password": password})
    r.raise_for_status()
    return str(r.json()["access_token"])


async def _measure(
    base: str, url: str, redis: Redis, prefix: str, accounts: Accounts, peer: Peer, plan: Plan
) -> Measured:
    """Every client count, the peer and ours taking turns; with the slow clients we dropped."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        tokens = [await _login(http, u, accounts.password) for u in accounts.keepers]
        stalled_bearer = await _login(http, accounts.stalled, accounts.password)
        admin = {"Authorization": f"Bearer {await _login(http, accounts.admin, accounts.password)}"}

        async def stats() -> dict[str, Any]:
            r = await http.get("/api/realtime/stats", headers=admin)
            r.raise_for_status()
            return dict(r.json())

        async def long_pauses() -> int:
            return int(((await stats()).get("gc") or {}).get("long_pauses", 0))

        async def counts() -> NodeCounts:
            now = await stats()
            gc = now.get("gc") or {}
            return NodeCounts(
                dropped=int(now["dropped_slow"]),
                long_gc_pauses=int(gc.get("long_pauses", 0)),
                full_collections=int(gc.get("full_collections", 0)),
            )

        async def settled() -> None:
            # Our backend's GC policy holds its full collection until the heap the new clients
            # brought stops growing (backend/gc_policy.py); the peer idles meanwhile. Its
            # `collection_pending` is as of its last tick: first wait for a tick after the ramp
            # (read too soon, it said "nothing pending" and the collection fell in a window).
            deadline = time.monotonic() + SETTLE_TIMEOUT_S
            first = int(((await stats()).get("gc") or {}).get("ticks", 0))
            while time.monotonic() < deadline:
                gc = (await stats()).get("gc") or {}
                if int(gc.get("ticks", 0)) > first and not gc.get("collection_pending", False):
                    return
                await asyncio.sleep(1.0)
            raise FanoutBenchError(
                f"the backend's GC still had a collection pending {SETTLE_TIMEOUT_S:g} s "
                "after the clients connected"
            )

        pg = await asyncpg.connect(url)
        await init_connection(pg)
        ours = Ours(pg, EventStreams(redis, prefix), accounts.stalled_id)
        fleets = [Fleet(plan.workers), Fleet(plan.workers)]
        try:
            runners = [
                Runner(
                    fleets[0],
                    plan,
                    System(
                        url=peer.url,
                        tokens=["peer"],
                        stalled_bearer="peer",
                        paths={"peer": peer.emit},
                        fill=peer.fill,
                    ),
                ),
                Runner(
                    fleets[1],
                    plan,
                    System(
                        url=base.replace("http://", "ws://") + "/ws",
                        tokens=tokens,
                        stalled_bearer=stalled_bearer,
                        paths={"stream": ours.emit_stream, "outbox": ours.emit_outbox},
                        fill=ours.fill,
                        gc_pauses=long_pauses,
                    ),
                ),
            ]
            out: Measured = {}
            for clients in plan.clients:
                before = await counts()
                results = await measure(runners, clients, plan, settled)
                after = await counts()
                out[clients] = (
                    results,
                    NodeCounts(
                        dropped=after.dropped - before.dropped,
                        long_gc_pauses=after.long_gc_pauses - before.long_gc_pauses,
                        full_collections=after.full_collections - before.full_collections,
                    ),
                )
            return out
        finally:
            for fleet in fleets:
                fleet.stop()
            await pg.close()


async def run_fanout_bench(
    database_url: str,
    redis_url: str,
    *,
    quick: bool = False,
    repeats: int | None = None,
    series: list[BenchSeries] | None = None,
) -> list[BenchRow]:
    """Measure our fan-out beside a bare ``websockets`` broadcast server; returns the rows.

    ``database_url`` must be allowed to create databases: the bench works in a scratch one.
    ``repeats`` overrides the plan's windows per figure (more windows, steadier tails).
    """
    plan = _plan(quick, repeats)
    prefix = f"pingan:bench:fanout:{secrets.token_hex(4)}"
    redis = Redis.from_url(redis_url)
    peer = Peer()
    try:
        await peer.ready()
        async with scratch_database(database_url) as (url, accounts):
            env = {
                "PINGAN_DATABASE_URL": url,
                "PINGAN_REDIS_URL": redis_url,
                "PINGAN_REDIS_PREFIX": prefix,
                "PINGAN_LOG_LEVEL": "WARNING",
                "PINGAN_LOG_JSON": "true",
                "PINGAN_ACCESS_TOKEN_TTL_S": "7200",
                "PINGAN_WS_MAX_CONNECTIONS_PER_USER": "1000",
                "PINGAN_WS_SEND_TIMEOUT_S": str(plan.send_timeout_s),
            }
            with backend_process(env) as base:
                measured = await _measure(base, url, redis, prefix, accounts, peer, plan)
    finally:
        peer.stop()
        keys = [k async for k in redis.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await redis.unlink(*keys)
        await redis.aclose()
    rows: list[BenchRow] = []
    for clients in plan.clients:
        results, node = measured[clients]
        rows += size_rows(clients, results, node, plan.repeats)
    if series is not None:
        series.append(fanout_curve(plan, measured))
    return rows


def _plan(quick: bool, repeats: int | None) -> Plan:
    plan = QUICK if quick else FULL
    return plan if repeats is None else msgspec.structs.replace(plan, repeats=repeats)


def main() -> None:
    """Command line: python -m backend.bench.fanout [admin_dsn] [redis_url] [--quick]."""
    parser = argparse.ArgumentParser(
        description="Fan-out benchmark (issue 6): our realtime hub beside a bare websockets server."
    )
    parser.add_argument(
        "database_url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("redis_url", nargs="?", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--repeats", type=int, default=None, help="windows per figure (default: the plan's)"
    )
    args = parser.parse_args()
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    plan = _plan(args.quick, args.repeats)
    started = time.monotonic()
    rows = asyncio.run(
        run_fanout_bench(args.database_url, args.redis_url, quick=args.quick, repeats=args.repeats)
    )
    print(  # noqa: T201
        f"fan-out: {plan.rate_per_s:g} updates/s of {PAYLOAD_BYTES} bytes for {plan.window_s:g} s "
        f"per window, {plan.repeats} windows per figure, {plan.workers} client processes, {os.cpu_count()} cores; "
        f"{time.monotonic() - started:.0f} s in all"
    )
    print(format_rows(rows))  # noqa: T201
