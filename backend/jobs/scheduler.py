"""Periodic work on APScheduler: position sweeps, track flushes, map-count folds, the
early-warning rules, retention of old rows.

Every job is idempotent and safe to run on several nodes at once. ``coalesce`` with no misfire
grace means a late run still happens (once), never silently skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from backend.api.map.rollup import fold_layers
from backend.early_warning.dispute_rule import check_disputes
from backend.early_warning.follow_up_rule import check_follow_ups
from backend.early_warning.ledger_rule import check_ledgers
from backend.early_warning.rental_rule import check_rentals
from backend.early_warning.repeat_call_rule import RepeatCallPolicy, check_repeat_calls
from backend.early_warning.store import reopen_lapsed
from backend.followups.policy import FollowUpPolicy
from backend.positions.service import PositionService
from backend.storage.postgres.pool import PgPool
from dispatch.errors import DispatchError

log = logging.getLogger("pingan.jobs")


def _guarded(name: str, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job()
        except (DispatchError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning(
                "job failed; it runs again at its next time",
                extra={"job": name, "error": type(exc).__name__},
            )

    run.__name__ = name
    return run


def create_scheduler(
    pool: PgPool,
    positions: PositionService,
    *,
    fire_timers: Callable[[], Awaitable[object]],
    follow_up_policy: FollowUpPolicy | None = None,
    repeat_call_policy: RepeatCallPolicy | None = None,
    warning_ack_lapse: timedelta = timedelta(days=3),
    timer_poll_s: float = 0.25,
    warning_check_s: float = 60.0,
    outbox_retention_h: float = 24.0,
    track_retention_days: float = 90.0,
) -> AsyncIOScheduler:
    """The scheduler with this node's jobs (not started)."""
    scheduler = AsyncIOScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    )

    async def sweep() -> None:
        await positions.index.sweep(time.time())

    async def flush_tracks() -> None:
        await positions.tracks.flush(pool)

    async def fold_map() -> None:
        # The map reads stored counts plus the deltas API writes leave; folding keeps the delta
        # table short between imports (what the map shows does not change).
        async with pool.acquire() as conn:
            await fold_layers(conn)

    async def check_warnings() -> None:
        # One transaction per rule: a failing rule does not hold back the others' findings.
        async with pool.acquire() as conn:
            async with conn.transaction():
                await check_follow_ups(
                    conn, follow_up_policy or FollowUpPolicy(), datetime.now(UTC)
                )
            async with conn.transaction():
                await check_repeat_calls(
                    conn, repeat_call_policy or RepeatCallPolicy(), datetime.now(UTC)
                )
            async with conn.transaction():
                await check_ledgers(conn, datetime.now(UTC))
            async with conn.transaction():
                await check_rentals(conn, datetime.now(UTC))
            async with conn.transaction():
                await check_disputes(conn, datetime.now(UTC))
            async with conn.transaction():
                await reopen_lapsed(conn, datetime.now(UTC), warning_ack_lapse)

    async def prune() -> None:
        await pool.execute(
            "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)",
            outbox_retention_h * 3600,
        )
        await pool.execute(
            "DELETE FROM position_tracks WHERE at < now() - make_interval(secs => $1)",
            track_retention_days * 86400,
        )

    # Durable playbook timers: claimed in PostgreSQL, so any number of nodes may poll.
    scheduler.add_job(
        _guarded("timers", fire_timers), "interval", seconds=timer_poll_s, id="timers"
    )
    scheduler.add_job(_guarded("position_sweep", sweep), "interval", seconds=5, id="position_sweep")
    scheduler.add_job(
        _guarded("track_flush", flush_tracks), "interval", seconds=2, id="track_flush"
    )
    scheduler.add_job(_guarded("map_fold", fold_map), "interval", minutes=1, id="map_fold")
    scheduler.add_job(
        _guarded("early_warnings", check_warnings),
        "interval",
        seconds=warning_check_s,
        id="early_warnings",
    )
    scheduler.add_job(_guarded("retention", prune), "interval", minutes=10, id="retention")
    return scheduler
