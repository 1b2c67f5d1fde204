"""Durable timers across processes: exactly once with two nodes, and late (but once) after kill -9."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from backend.security.policy import Role
from tests.conftest import BackendProcess, DistrictPaths, login_http

pytestmark = pytest.mark.e2e
Start = Callable[..., BackendProcess]
PLAYBOOKS = Path(__file__).resolve().parents[1] / "integration" / "incidents" / "playbooks"


async def _incident(base_url: str, headers: dict[str, str], lat: float, lon: float) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        r = await http.post(
            "/api/incidents",
            headers=headers,
            json={"kind": "crisis_at_home", "place": {"lat": lat, "lon": lon}},
        )
        assert r.status_code == 201, r.text
        return str(r.json()["incident"]["summary"]["id"])


async def test_five_hundred_timers_fire_exactly_once_across_two_nodes(
    start_backend: Start, make_user: Any, paths: DistrictPaths, district: Any, database_url: str
) -> None:
    await make_user("op.t", paths.district, Role.OPERATOR)
    env = {"PINGAN_PLAYBOOK_DIR": str(PLAYBOOKS), "PINGAN_TIMER_POLL_S": "0.05"}
    node_a, node_b = start_backend(**env), start_backend(**env)
    headers = await login_http(node_a.base_url, "op.t")
    lat, lon = district.units[paths.grid_a].feature()["geometry"]["coordinates"][0][0][::-1]
    incident_id = await _incident(node_a.base_url, headers, lat, lon)
    conn = await asyncpg.connect(database_url)
    try:
        # Offer-expiry timers of assignments that do not exist: the claim path alone, 500 times.
        await conn.executemany(
            "INSERT INTO timers (id, incident_id, kind, purpose, subject, due_at) "
            "VALUES ($1, $2, 'offer', 'offer_expiry', $3, now() + interval '1 second')",
            [(f"load:{i}", incident_id, str(uuid.uuid4())) for i in range(500)],
        )
        async with asyncio.timeout(60):
            while await conn.fetchval(
                "SELECT count(*) FROM timers WHERE id LIKE 'load:%' AND fired_at IS NULL"
            ):
                await asyncio.sleep(0.2)
        firings = await conn.fetch(
            "SELECT timer_id, node FROM timer_firings WHERE timer_id LIKE 'load:%'"
        )
    finally:
        await conn.close()
    assert len(firings) == 500
    assert len({f["timer_id"] for f in firings}) == 500
    assert len({f["node"] for f in firings}) >= 1
    for node in (node_a, node_b):
        assert "UniqueViolation" not in node.log()


async def test_kill_nine_then_overdue_timers_fire_once_marked_late(
    start_backend: Start, make_user: Any, paths: DistrictPaths, district: Any, database_url: str
) -> None:
    await make_user("op.k", paths.district, Role.OPERATOR)
    await make_user("lead.k", paths.street_a, Role.STREET_LEADER)
    env = {"PINGAN_PLAYBOOK_DIR": str(PLAYBOOKS)}
    backend = start_backend(**env)
    headers = await login_http(backend.base_url, "op.k")
    lat, lon = district.units[paths.grid_a].feature()["geometry"]["coordinates"][0][0][::-1]
    incident_id = await _incident(
        backend.base_url, headers, lat, lon
    )  # nobody on duty: its 3 s deadline waits
    backend.stop(kill=True)
    await asyncio.sleep(6)  # the deadline passes while no node runs
    again = start_backend(**env)
    headers = await login_http(again.base_url, "op.k")
    async with httpx.AsyncClient(base_url=again.base_url, timeout=30) as http, asyncio.timeout(30):
        while True:
            timeline = (
                await http.get(f"/api/incidents/{incident_id}/timeline", headers=headers)
            ).json()
            fired = [e for e in timeline if e["kind"] == "timer.fired"]
            if fired and any(e["kind"] == "leader.notified" for e in timeline):
                break
            await asyncio.sleep(0.3)
    assert len(fired) == 1
    assert fired[0]["data"]["late"] is True
    assert fired[0]["data"]["late_ms"] > 2000
    conn = await asyncpg.connect(database_url)
    try:
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM timer_firings f JOIN timers t ON t.id = f.timer_id "
                "WHERE t.incident_id = $1 AND t.kind = 'engine'",
                incident_id,
            )
            == 1
        )
    finally:
        await conn.close()
