"""Timer lateness: due → fired through the durable claim loop, beside ``loop.call_later``.

Timers are rows claimed in PostgreSQL by polling (``PINGAN_TIMER_POLL_S``), so their lateness is
bounded below by the poll interval; the peer is the event loop's own timer in the same loop,
which shows what the machine adds (scheduling noise under load).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from backend.bench.table import BenchRow, BenchSeries, percentile
from backend.incidents.runner import Runner
from backend.incidents.service import IncidentService
from backend.incidents.timers import fire_due_timers
from backend.positions.grids import GridLookup
from backend.positions.service import PositionService
from backend.positions.tracks import TrackSampler
from backend.realtime.streams import EventStreams
from backend.security.audit import AuditLog
from backend.storage.postgres.dsn import with_database
from backend.storage.postgres.migrate import migrate
from backend.storage.postgres.pool import PgConn, create_pool, init_connection
from backend.storage.redis.client import create_redis
from dispatch.index import PositionIndex
from playbooks.loader import library_dir, load_library
from playbooks.state import encode_run, new_run

POLL_S = 0.25


async def _seed_incident(conn: PgConn) -> str:
    await conn.execute(
        "INSERT INTO org_units (path, level, name_zh, name_en) VALUES ('999999', 'district', '基准', 'Bench') "
        "ON CONFLICT DO NOTHING"
    )
    playbook = load_library(library_dir()).get("crisis_at_home")
    run = new_run("BENCH-1", playbook)
    await conn.execute(
        """
        INSERT INTO incidents (id, kind, priority, state, lat, lon, org_path, source, playbook_id, playbook_version,
                               run_state)
        VALUES ('INC-20260101-00001', 'crisis_at_home', 3, 'new', 22.7, 114.35, '999999', 'console', $1, $2, $3)
        """,
        playbook.id,
        playbook.version,
        msgspec.json.decode(encode_run(run)),
    )
    return "INC-20260101-00001"


async def run_timers_bench(
    database_url: str,
    redis_url: str,
    *,
    quick: bool = False,
    series: list[BenchSeries] | None = None,
) -> list[BenchRow]:
    """Fire N timers spread over a window; report lateness p50/p99 for ours and the loop probe."""
    count, window_s = (200, 3.0) if quick else (2000, 20.0)
    name = f"pingan_bench_timers_{uuid.uuid4().hex[:6]}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        dsn = with_database(database_url, name)
        conn = await asyncpg.connect(dsn)
        await init_connection(conn)
        await migrate(conn)
        incident_id = await _seed_incident(conn)
        pool = await create_pool(dsn, min_size=2, max_size=10)
        redis = create_redis(redis_url)
        positions = PositionService(
            pool,
            PositionIndex(redis, prefix=f"bench{uuid.uuid4().hex[:6]}:pos"),
            EventStreams(redis, "bench"),
            GridLookup(),
            TrackSampler(),
        )
        service = IncidentService(
            pool, Runner(positions), load_library(library_dir()), GridLookup(), AuditLog(b"b" * 32)
        )
        start = datetime.now(UTC) + timedelta(seconds=1)
        dues = [start + timedelta(seconds=window_s * i / count) for i in range(count)]
        await conn.executemany(
            "INSERT INTO timers (id, incident_id, kind, purpose, subject, due_at) VALUES ($1, $2, 'offer', "
            "'offer_expiry', $3, $4)",
            [(f"bench:{i}", incident_id, str(uuid.uuid4()), due) for i, due in enumerate(dues)],
        )
        loop = asyncio.get_running_loop()
        probe: list[float] = []

        def record(target: float) -> None:
            probe.append((time.monotonic() - target) * 1000)

        for due in dues:
            delay = (due - datetime.now(UTC)).total_seconds()
            loop.call_later(max(0.0, delay), record, time.monotonic() + delay)
        deadline = time.monotonic() + window_s + 10
        while time.monotonic() < deadline:
            await fire_due_timers(pool, service, "bench")
            if await conn.fetchval("SELECT count(*) FROM timer_firings") >= count:
                break
            await asyncio.sleep(POLL_S)
        late = [float(r["late_ms"]) for r in await conn.fetch("SELECT late_ms FROM timer_firings")]
        fired_once = (
            len(late)
            == count
            == await conn.fetchval("SELECT count(DISTINCT timer_id) FROM timer_firings")
        )
        await pool.close()
        await redis.aclose()
        await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    goal_ms = POLL_S * 1000 + 100
    if series is not None:
        series.append(
            BenchSeries(
                bench="timers",
                name="timers-lateness",
                title=f"timer lateness, {count} timers over {window_s:g} s",
                kind="distribution",
                unit="ms",
                samples={"ours (durable timers)": late, "loop.call_later": probe},
            )
        )
    p50, p99 = percentile(late, 0.5), percentile(late, 0.99)
    return [
        BenchRow(
            bench="timers",
            figure=f"lateness p50 ({count} timers)",
            unit="ms",
            ours=p50,
            peer=percentile(probe, 0.5),
            peer_name="loop.call_later",
        ),
        BenchRow(
            bench="timers",
            figure=f"lateness p99 ({count} timers)",
            unit="ms",
            ours=p99,
            peer=percentile(probe, 0.99),
            peer_name="loop.call_later",
            goal=f"≤ poll interval + 100 ms ({goal_ms:.0f} ms)",
            met=p99 <= goal_ms,
        ),
        BenchRow(
            bench="timers",
            figure="fired exactly once",
            unit="timers",
            ours=float(len(late)),
            goal=f"{count}, each once",
            met=fired_once,
        ),
    ]


if __name__ == "__main__":
    import sys

    rows = asyncio.run(run_timers_bench(sys.argv[1], sys.argv[2], quick="--quick" in sys.argv))
    for row in rows:
        print(row)  # noqa: T201
