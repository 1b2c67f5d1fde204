"""The simulators against a real backend: a small fleet and a high incident rate, for a bounded
time, across a restart of the backend (same port, same database). Counts, not stopwatches."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.cli.demo import create_fleet
from backend.security.policy import Role
from backend.security.users import UserCreate, create_user
from backend.storage.postgres.pool import PgPool
from simulators.fleet import Fleet, FleetConfig
from simulators.incidents import IncidentConfig, IncidentSimulator
from simulators.responder import Behaviour
from tests.conftest import TEST_PASSWORD, BackendProcess, DistrictPaths, backend_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(480)]
FLEET = 20
PHASE_S = 150.0  # generous: a loaded 2-core CI machine is slow, and the test counts, not times


class Watch:
    """What an operator sees through the API: responders with positions, incidents by state."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.token = ""

    async def _get(self, path: str, **params: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as http:
            if not self.token:
                r = await http.post(
                    "/api/auth/login", json={"username": "operator", "password": TEST_PASSWORD}
                )
                r.raise_for_status()
                self.token = r.json()["access_token"]
            r = await http.get(
                path, params=params, headers={"Authorization": f"Bearer {self.token}"}
            )
            r.raise_for_status()
            return r.json()

    async def fresh_positions(self, max_age_s: float = 15) -> int:
        responders = await self._get("/api/responders", limit=500)
        return sum(1 for r in responders if r["position_known"] and r["age_s"] <= max_age_s)

    async def incidents(self) -> Counter[str]:
        page = await self._get("/api/incidents", limit=200)
        return Counter(i["state"] for i in page["items"])

    async def timeline_kinds(self) -> Counter[str]:
        kinds: Counter[str] = Counter()
        for incident in (await self._get("/api/incidents", limit=200))["items"]:
            for entry in await self._get(f"/api/incidents/{incident['id']}/timeline"):
                kinds[entry["kind"]] += 1
        return kinds


SIMULATORS: list[Fleet | IncidentSimulator] = []
WATCH: list[Watch] = []


async def _until(what: str, check: Callable[[], Awaitable[bool]], seconds: float) -> None:
    """Wait for ``check``; on time-out say what the simulators saw."""
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            seen = "\n".join(f"{type(s).__name__}: {s.summary()}" for s in SIMULATORS)
            live = "\n".join(
                f"  {i['id']} {i['kind']} {i['state']} step={(i['step'] or {}).get('id')} "
                f"escalations={i['escalations']} {i['responders']}"
                for i in (await WATCH[0]._get("/api/incidents", limit=50))["items"]
            )
            raise AssertionError(f"not within {seconds:.0f} s: {what}\n{seen}\n{live}")
        await asyncio.sleep(1)


async def _accounts(pool: PgPool, paths: DistrictPaths) -> None:
    async with pool.acquire() as conn:
        for username, role in (
            ("operator", Role.OPERATOR),
            ("hotline", Role.INTEGRATION),
            ("gateway", Role.GATEWAY),
        ):
            await create_user(
                conn,
                UserCreate(
                    username=username,
                    display_name=username.title(),
                    password=TEST_PASSWORD,
                    org_path=paths.district,
                    roles=[role],
                ),
            )
        assert (
            await create_fleet(conn, FLEET, TEST_PASSWORD, seed=7, within=paths.community_a)
            == FLEET
        )


def _simulators(base_url: str, paths: DistrictPaths) -> tuple[Fleet, IncidentSimulator]:
    fleet = Fleet(
        FleetConfig(
            url=base_url,
            responders=FLEET,
            password=TEST_PASSWORD,
            seed=7,
            report_every_s=2.0,
            batch_every_s=1.0,
            socket_reporters=3,
            duty_share=1.0,
            duty_every_s=10.0,
            behaviour=Behaviour(
                accept_p=0.9,
                decline_p=0.1,
                reaction_s=(2.0, 20.0),
                dwell_s=(20.0, 60.0),
                tick_gap_s=(2.0, 10.0),
                max_dwell_s=7200.0,
                time_scale=120.0,
            ),
        )
    )
    incidents = IncidentSimulator(
        IncidentConfig(
            url=base_url,
            rate_per_min=10.0,
            password=TEST_PASSWORD,
            within=paths.community_a,
            kinds=("crisis_at_home", "medication_reaction"),
            poll_s=1.0,
            max_incidents=40,
        )
    )
    return fleet, incidents


async def _restart(backend: BackendProcess, env: dict[str, str], log: Path) -> BackendProcess:
    await asyncio.to_thread(backend.stop)
    again = BackendProcess(env, backend.port, log)
    await asyncio.to_thread(again.wait_ready)
    return again


async def test_fleet_and_incidents_close_the_loop_across_a_backend_restart(
    clean_db: PgPool,
    paths: DistrictPaths,
    start_backend: Any,
    database_url: str,
    redis_url: str,
    tmp_path: Path,
) -> None:
    await _accounts(clean_db, paths)
    backend: BackendProcess = start_backend()
    watch = Watch(backend.base_url)
    fleet, incidents = _simulators(backend.base_url, paths)
    SIMULATORS[:] = [fleet, incidents]
    WATCH[:] = [watch]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(fleet.run(stop)), asyncio.create_task(incidents.run(stop))]
    restarted: BackendProcess | None = None
    try:
        await _until(
            "15 of 20 responders on the map", lambda: _at_least(watch.fresh_positions(), 15), 30
        )
        await _until(
            "two incidents closed",
            lambda: _at_least(_count(watch.incidents(), "closed"), 2),
            PHASE_S,
        )
        before = await watch.incidents()
        restarted = await _restart(
            backend, backend_env(database_url, redis_url), tmp_path / "backend-restarted.log"
        )
        await _until(
            "positions flowing again after the restart",
            lambda: _at_least(watch.fresh_positions(max_age_s=5), 15),
            30,
        )
        await _until(
            "two more incidents closed after the restart",
            lambda: _at_least(_count(watch.incidents(), "closed"), before["closed"] + 2),
            PHASE_S,
        )
        await _until(
            "an incident created after the restart",
            lambda: _at_least(_total(watch.incidents()), before.total() + 1),
            PHASE_S,
        )
        kinds = await watch.timeline_kinds()
        for expected in (
            "incident.created",
            "assignment.offered",
            "assignment.accepted",
            "assignment.en_route",
            "assignment.on_scene",
            "checklist.ticked",
            "assignment.cleared",
            "incident.closed",
        ):
            assert kinds[expected] > 0, f"no {expected} on any timeline: {kinds}"
    finally:
        stop.set()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        if restarted is not None:
            await asyncio.to_thread(restarted.stop)
    assert not [r for r in results if isinstance(r, BaseException)], results
    reconnected = [
        r for r in fleet.responders if r.socket is None or r.socket.stats["connects"] >= 2
    ]
    assert len(reconnected) >= 15, "personal sockets did not resume after the restart"
    for stats in (fleet.stats, fleet.api.stats, incidents.stats, incidents.api.stats):
        assert not [k for k in stats if k.endswith("_500")], f"server errors: {stats}"
    assert fleet.stats["positions_applied"] > 100
    assert fleet.stats["positions_socket"] > 0
    assert fleet.stats["accepted"] > 0 and fleet.stats["ticks"] > 0
    assert incidents.stats["closed"] >= 4


async def _at_least(value: Awaitable[int], least: int) -> bool:
    return await value >= least


async def _count(counts: Awaitable[Counter[str]], state: str) -> int:
    return (await counts)[state]


async def _total(counts: Awaitable[Counter[str]]) -> int:
    return (await counts).total()
