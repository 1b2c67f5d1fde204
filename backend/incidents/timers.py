"""The timer claim loop: due timers fire exactly once across all nodes, late ones fire late.

Each timer fires in its own transaction: lock the incident (one lock order everywhere: incident,
then its timers and assignments), re-check the timer under ``FOR UPDATE SKIP LOCKED``, record the
firing (``timer_firings``' primary key refuses a second one), and step the run — so the firing and
its effects commit together. After a crash, overdue timers are simply due: they fire on restart,
and the timeline marks them late.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from backend.incidents import status_sync
from backend.incidents.repo import Actor, announce, lock_incident, record
from backend.incidents.service import IncidentService
from backend.storage.postgres.pool import PgPool
from playbooks.events import TimerFired

log = logging.getLogger("pingan.timers")
LATE_AFTER_MS = 2000.0  # fired this long after due: said so in the timeline


async def fire_due_timers(
    pool: PgPool, service: IncidentService, node: str, *, batch: int = 20
) -> int:
    """Fire every due timer this node can claim now; returns how many it fired."""
    fired = 0
    while True:
        candidates = await pool.fetch(
            "SELECT id, incident_id FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= now() "
            "ORDER BY due_at LIMIT $1",
            batch,
        )
        if not candidates:
            return fired
        progressed = False
        for candidate in candidates:
            if await _fire_one(pool, service, node, candidate["id"], candidate["incident_id"]):
                fired += 1
                progressed = True
        if not progressed:
            return fired  # everything due is being fired by other nodes right now


async def _fire_one(
    pool: PgPool, service: IncidentService, node: str, timer_id: str, incident_id: str
) -> bool:
    async with status_sync.transaction(pool, service.runner.positions) as conn:
        locked = await conn.fetchval(
            "SELECT id FROM incidents WHERE id = $1 FOR UPDATE SKIP LOCKED", incident_id
        )
        if locked is None:
            return False
        timer = await conn.fetchrow(
            "SELECT * FROM timers WHERE id = $1 AND fired_at IS NULL AND cancelled_at IS NULL AND due_at <= now() "
            "FOR UPDATE SKIP LOCKED",
            timer_id,
        )
        if timer is None:
            return False
        now = time.time()
        late_ms = max(0.0, (datetime.now(UTC) - timer["due_at"]).total_seconds() * 1000)
        await conn.execute("UPDATE timers SET fired_at = now() WHERE id = $1", timer_id)
        await conn.execute(
            "INSERT INTO timer_firings (timer_id, late_ms, node) VALUES ($1, $2, $3)",
            timer_id,
            late_ms,
            node,
        )
        if timer["kind"] == "offer":
            await service.expire_offer(conn, timer["subject"], now)
            return True
        incident = await lock_incident(conn, incident_id)
        actor = Actor.system("timer")
        await record(
            conn,
            incident,
            "timer.fired",
            {
                "timer_id": timer_id,
                "purpose": timer["purpose"],
                "late": late_ms > LATE_AFTER_MS,
                "late_ms": round(late_ms),
            },
            actor,
        )
        if incident["state"] not in ("closed", "cancelled"):
            await service.runner.feed(conn, incident_id, TimerFired(timer_id=timer_id), actor, now)
            await announce(conn, incident_id)
        return True
